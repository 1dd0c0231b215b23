"""The %dlquiz wing: quizzes graded in the kernel, progress kept (wing.py: the magic;
model.py: a quiz as data; kinds/: each question type; tutor.py: grading and the record;
view.py: the widgets)."""
