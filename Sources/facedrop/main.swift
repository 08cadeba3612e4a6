print("facedrop")
