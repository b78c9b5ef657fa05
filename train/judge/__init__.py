"""Fitting the judge's calibration (`python -m train.judge.calibrate`); never run at serve time."""
