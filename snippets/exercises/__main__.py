"""Check an answer: ``python -m snippets.exercises check numpy-3 answer.py``.

``check KEY FILE`` checks one exercise; ``check POST FILE`` (``check numpy
answer.py``) checks every code exercise of that post that the file answers;
``list`` lists the
exercises. The exit status is 0 when every checked exercise passed.
"""

from __future__ import annotations

import argparse
import sys

from snippets.exercises import all_exercises
from snippets.exercises.checker import check_file, load_answer


def _chosen(target: str, path: str, exercises: dict) -> list:
    if target in exercises:
        return [exercises[target]]
    of_post = [
        exercise for exercise in exercises.values() if exercise.post == target
    ]
    answered = []
    for exercise in of_post:
        try:
            load_answer(path, exercise.function)
        except LookupError:
            print(
                f"{exercise.key:14} skipped: "
                f"{path} defines no {exercise.function}"
            )
            continue
        except Exception:  # check_file reports the error
            pass
        answered.append(exercise)
    return answered


def command_line(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m snippets.exercises", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check the answer in FILE")
    check.add_argument(
        "target",
        help="an exercise key such as numpy-3, or a post such as numpy",
    )
    check.add_argument("file", help="the .py file that defines your function")
    check.add_argument(
        "--seed", type=int, default=0, help="seed of the random inputs"
    )
    commands.add_parser("list", help="list the exercises")
    arguments = parser.parse_args(argv)

    exercises = all_exercises()
    if arguments.command == "list":
        for key, exercise in exercises.items():
            print(f"{key:14} {exercise.function:24} {exercise.title}")
        return 0
    chosen = _chosen(arguments.target, arguments.file, exercises)
    if not chosen:
        known = ", ".join(exercises)
        print(
            f"nothing to check for {arguments.target!r} in {arguments.file}; "
            f"exercises: {known}"
        )
        return 2
    results = [
        check_file(exercise, arguments.file, arguments.seed)
        for exercise in chosen
    ]
    for exercise, result in zip(chosen, results, strict=True):
        verdict = "pass" if result.passed else "FAIL"
        print(
            f"{result.key:14} {verdict}  {exercise.function}: {result.message}"
        )
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(command_line())
