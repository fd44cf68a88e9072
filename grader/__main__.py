import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notices are not the instructor's

from grader.cli import main  # noqa: E402  (after the log level, which TensorFlow reads when it loads)

sys.exit(main())
