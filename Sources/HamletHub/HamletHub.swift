// HamletHub
