"""Report: what grading found, for the TA and the students: the review list, the insight page, the grades for
the LMS (``nbgrader export``) and the feedback (``nbgrader generate_feedback``)."""
