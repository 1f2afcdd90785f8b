// REQUIRES: plugins
// A dialect plugin (test/plugins/TestDialectPlugin.cpp) registers `cimtest` in cim-opt's
// dialect registry; without it the op does not parse.
// RUN: cim-opt %s --load-dialect-plugin=%test_plugins/CimlirTestDialectPlugin.so | FileCheck %s
// RUN: not cim-opt %s 2>&1 | FileCheck %s --check-prefix=WITHOUT
// RUN: not cim-opt %s --load-dialect-plugin=%test_plugins/CimlirTestPassPlugin.so 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOTDIALECT

// CHECK: "cimtest.marker"() {note = "from the plugin"} : () -> ()
// WITHOUT: error: operation being parsed with an unregistered dialect
// NOTDIALECT: {{^}}cim-opt: error: --load-dialect-plugin {{.*}}CimlirTestPassPlugin.so: no dialect plugin: it defines no mlirGetDialectPluginInfo
func.func @f() {
  "cimtest.marker"() {note = "from the plugin"} : () -> ()
  return
}
