"""The review list (``coursetools.report.review``) on single cells, without kernels."""

from coursetools.report import review


def test_code_hidden_in_an_encoded_string_is_flagged():
    payload = "exec(bytes.fromhex('7072696e74283129'))\n"
    assert any("decoded at run time" in flag for flag in review.flags(payload))
    assert any("exec" in flag for flag in review.flags("import base64\nexec(base64.b64decode(b'cHJpbnQoMSk='))\n"))
    assert review.flags("def f(x):\n    return 2 * x\n") == []
