"""``nbgrader zip_collect`` for Canvas downloads, and what it left out.

Canvas names each file of a "Download Submissions" zip
``<name>_[LATE_]<canvas user id>_<submission id>_<file name>``, and a file a
student uploaded again under the same name gets ``-1``, ``-2``... before its
extension (``lovelaceada_12345_678910_02_exploding_vanishing-1.ipynb``).
``CanvasCollector`` (installed in ``nbgrader_config.py``) collects such names as
the notebook they stand for; when several uploads of one notebook are in the
download, the latest (highest number) wins and the others are skipped with a
warning. The numeric Canvas user id is stored in the gradebook as the student's
``lms_user_id`` (nbgrader's own column), so that grades can go back to Canvas.

Every file the collector skips gets the course's own warning line saying why (no match, or a later upload);
nbgrader's own line for it ("Skipped submission with no match information provided"), which reads as if the
file were unknown, is left out. What it left out, and which upload it took, is read back by
``coursetools.collect.downloads``.
"""

import os
import re
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin

NBGRADER_SKIPPED = "Skipped submission with no match information provided: "
# The pattern nbgrader_config.py sets (kept here for the report's own use when no config is given).
CANVAS_PATTERN = (r".*/(?P<student_id>[A-Za-z0-9.@+-]+)_(?:[Ll][Aa][Tt][Ee]_)?(?:(?P<lms_user_id>\d+)_)?(?:\d+_)?"
                  r"(?P<file_id>\d\d_[A-Za-z0-9_]+?)(?:-(?P<upload>\d+))?\.ipynb$")


class CanvasCollector(FileNameCollectorPlugin):
    """nbgrader's file-name collector, made for Canvas: re-uploads (``-1``) are collected (the latest one wins)
    and the Canvas user id goes into the gradebook as ``lms_user_id``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._chosen = None  # {(student, notebook): the path of its latest upload}
        self._stored = set()
        self._explained = set()  # files skipped with the course's own warning

    def _skip(self, path, message, *args):
        """Warn why ``path`` is not collected, and leave out nbgrader's less helpful line about it."""
        if not self._explained:
            self.log.addFilter(self._nbgrader_line)
        self._explained.add(str(path))
        self.log.warning(message, *args)

    def _nbgrader_line(self, record):
        text = record.getMessage()
        return not (text.startswith(NBGRADER_SKIPPED) and text[len(NBGRADER_SKIPPED):] in self._explained)

    def parse(self, path):
        """(student id, notebook file name, upload number, LMS user id or None) of ``path``, or None."""
        match = re.match(self.named_regexp or CANVAS_PATTERN, str(path))
        if not match or not match.groupdict().get("student_id") or not match.groupdict().get("file_id"):
            return None
        groups = match.groupdict()
        name = groups["file_id"] if groups["file_id"].endswith(".ipynb") else groups["file_id"] + ".ipynb"
        return groups["student_id"], name, int(groups.get("upload") or 0), groups.get("lms_user_id")

    def latest(self, paths):
        """{(student, notebook): path} of the latest upload of each notebook among ``paths``."""
        chosen = {}
        for path in sorted(paths):
            parsed = self.parse(path) if Path(path).suffix in self.valid_ext else None
            if parsed is None:
                continue
            key, upload = parsed[:2], parsed[2]
            if key not in chosen or upload >= chosen[key][0]:
                chosen[key] = (upload, str(path))
        return {key: path for key, (_, path) in chosen.items()}

    def _extracted_files(self, submitted_file):
        app = self.parent
        folder = None
        if app is not None and hasattr(app, "_format_collect_path"):
            folder = app._format_collect_path(app.extracted_directory)
        if not folder or not os.path.isdir(folder):
            folder = os.path.dirname(submitted_file)
        return [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]

    def collect(self, submitted_file):
        if Path(submitted_file).suffix not in self.valid_ext:
            return None
        parsed = self.parse(submitted_file)
        if parsed is None:
            self._skip(submitted_file, "NOT COLLECTED: %s does not match c.FileNameCollectorPlugin.named_regexp "
                                       "(nbgrader_config.py); rename it or adapt the pattern", submitted_file)
            return None
        student, name, upload, lms_id = parsed
        if self._chosen is None:
            self._chosen = self.latest(self._extracted_files(submitted_file))
        latest = self._chosen.get((student, name), submitted_file)
        if os.path.abspath(latest) != os.path.abspath(submitted_file):
            self._skip(submitted_file, "Skipped %s: a later upload of %s by %s is collected instead (%s)",
                       submitted_file, name, student, os.path.basename(latest))
            return None
        if lms_id:
            self._store_lms_id(student, lms_id)
        return {"student_id": student, "file_id": name}

    def _store_lms_id(self, student, lms_id):
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None or (student, lms_id) in self._stored:
            return
        from nbgrader.api import Gradebook
        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            gb.update_or_create_student(student, lms_user_id=lms_id)
        self._stored.add((student, lms_id))
