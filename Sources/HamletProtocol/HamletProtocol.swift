// HamletProtocol
