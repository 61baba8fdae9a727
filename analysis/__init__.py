"""Coverage, gap and siting analysis of the venue network (pure computation)."""
