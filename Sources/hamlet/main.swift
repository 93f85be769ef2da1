print("hamlet")
