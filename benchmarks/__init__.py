"""Side-by-side timings against the libraries users would pick instead (DESIGN.md section 9)."""
