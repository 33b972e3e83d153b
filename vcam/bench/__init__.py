"""Speed: `vcam bench` times the real loop on random weights; `--tune` saves the fastest options per card."""
