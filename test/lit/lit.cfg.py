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
# The test plugins (test/plugins/), which every build but the self-contained one makes: there
# a missing plugin is an error, not a skipped test.
if config.cimlir_test_plugins:
    for plugin in ["CimlirTestPassPlugin.so", "CimlirTestDialectPlugin.so"]:
        if not os.path.exists(os.path.join(config.cimlir_test_plugins, plugin)):
            lit_config.fatal(plugin + " was not built (build the check-cimlir-lit target)")
    config.available_features.add("plugins")
    config.substitutions.append(("%test_plugins", config.cimlir_test_plugins))
llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(["cim-opt", "cim-run"], [config.cimlir_tools_dir])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
