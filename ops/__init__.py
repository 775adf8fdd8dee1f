"""Operations: backing up and restoring everything a crimegraph deployment keeps."""
