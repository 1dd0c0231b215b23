"""The %dlquiz wing: quizzes graded in the kernel, progress kept (wing.py: the magic;
model.py: a quiz as data; reading.py and document.py: a file's questions read and checked;
formats/: one module per file format; kinds/: one per question type; tutor.py: grading and
the record; view.py: the widgets)."""
