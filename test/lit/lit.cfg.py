# lit configuration for cimlir: .mlir (passes, dialect) and .onnxtext (importer) tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "cimlir"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cimlir_obj_root, "test", "lit")

config.substitutions.append(("%models", os.path.join(config.cimlir_src_root, "models")))
llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(["cim-opt", "cim-run"], [config.cimlir_tools_dir])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
