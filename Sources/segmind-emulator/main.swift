print("segmind-emulator")
