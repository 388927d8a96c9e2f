; Frames only, for now.
