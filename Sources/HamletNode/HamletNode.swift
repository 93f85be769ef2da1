// HamletNode
