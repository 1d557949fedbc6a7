# Writes problems.jsonl: a handful of problems the project wrote, in LiveCodeBench's code_generation_lite
# row format (the columns its loader reads; private tests packed as it publishes them: base64 of zlib of a
# pickled JSON string). Run: python3 make_problems.py > problems.jsonl
import base64
import json
import pickle
import zlib


def tests(pairs, kind):
    return [{"input": i, "output": o, "testtype": kind} for i, o in pairs]


def pack(value):
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(value)))).decode()


def row(qid, title, content, date, difficulty, platform, public, private, starter="", func_name=None):
    kind = "functional" if func_name else "stdin"
    return {"question_title": title, "question_content": content, "platform": platform, "question_id": qid,
            "contest_id": qid.split("_")[0], "contest_date": date, "starter_code": starter,
            "difficulty": difficulty, "public_test_cases": json.dumps(tests(public, kind)),
            "private_test_cases": pack(tests(private, kind)),
            "metadata": json.dumps({"func_name": func_name} if func_name else {})}


PROBLEMS = [
    row("ef001_a", "Sum of Two", "Read two integers A and B from one line and print A+B.", "2024-08-03T00:00:00",
        "easy", "atcoder", [("1 2\n", "3\n")], [("10 -4\n", "6\n"), ("1000000000000 1\n", "1000000000001\n")]),
    row("ef002_b", "Sorted Lines", "The first line holds N, the next lines N integers in any layout. Print them "
        "in increasing order, one per line.", "2024-09-14T00:00:00", "easy", "atcoder",
        [("3\n3 1\n2\n", "1\n2\n3\n")], [("1\n5\n", "5\n"), ("4\n9 8 7 6\n", "6\n7\n8\n9\n")]),
    row("ef003_c", "Average", "Read N and then N integers; print their mean (any exact decimal form).",
        "2024-11-02T00:00:00", "medium", "codeforces", [("2\n1 2\n", "1.5\n")],
        [("4\n1 1 1 2\n", "1.25\n"), ("1\n7\n", "7\n")]),
    row("ef004", "Pair Sum", "Return the indices of the two numbers of nums that add up to target.",
        "2024-12-08T00:00:00", "easy", "leetcode", [("[2,7,11,15]\n9", "[0, 1]")],
        [("[3,2,4]\n6", "[1, 2]"), ("[3,3]\n6", "[0, 1]")],
        starter="class Solution:\n    def pairSum(self, nums: List[int], target: int) -> List[int]:\n        ",
        func_name="pairSum"),
    row("ef005", "Reverse Words", "Return the words of s in reverse order, joined by single spaces.",
        "2025-01-19T00:00:00", "medium", "leetcode", [("\"the sky is blue\"", "\"blue is sky the\"")],
        [("\"  hello world  \"", "\"world hello\""), ("\"a\"", "\"a\"")],
        starter="class Solution:\n    def reverseWords(self, s: str) -> str:\n        ", func_name="reverseWords"),
    # Outside DeepSeek's window (2024-08-01 to 2025-01-31): kept out by `evalflow data fetch`.
    row("ef006_a", "Double", "Read N and print 2N.", "2025-03-01T00:00:00", "easy", "atcoder",
        [("2\n", "4\n")], [("0\n", "0\n")]),
]

for problem in PROBLEMS:
    print(json.dumps(problem))
