"""Public datasets: where they live, how to fetch them, and how to read them into tables."""
