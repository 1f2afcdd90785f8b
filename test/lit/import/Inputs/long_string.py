"""Writes a textual ONNX Conv whose auto_pad is a 4 MiB string (argv[1]), or checks that
what stdin holds is one line of at most 1,100 bytes and echoes it (argv[1] == "--short")."""
import sys

if sys.argv[1] == "--short":
    text = sys.stdin.read()
    assert text.count("\n") == 1 and len(text) <= 1100, (text.count("\n"), len(text))
    sys.stdout.write(text)
else:
    with open(sys.argv[1], "w") as f:
        f.write('<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n'
                "agraph (float[1, 1, 4, 4] X, float[1, 1, 3, 3] W) => (float[1, 1, 2, 2] Y) {\n"
                '  Y = Conv <auto_pad = "' + "A" * (4 << 20) + '"> (X, W)\n}\n')
