print("hamlet-bench: not written yet")
