# lit configuration of the example plugin's tests: %cim_opt, %plugin, %models, and LLVM's
# FileCheck and not on the PATH.
import os

import lit.formats

config.name = "keep-large-layers-digital"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".test"]
config.test_source_root = config.source_dir
config.test_exec_root = os.path.dirname(config.plugin_file)
with open(config.plugin_file) as f:
    config.substitutions.append(("%plugin", f.read().strip()))
config.substitutions.append(("%cim_opt", config.cim_opt))
config.substitutions.append(("%models", config.models))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, os.environ["PATH"]])
