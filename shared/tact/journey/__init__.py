"""Journey files: models, loading with positions, compiling to Amazon States Language."""
