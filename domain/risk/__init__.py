"""Risk grading and control (安全风险分级管控): assessment schemes as versioned data, levels and control levels."""
