// The IR of cim-opt-ext.test: a placed function (cim.device, here the digital defaults) whose
// Relu carries what a pass left for the runtime.
func.func @main(%arg0: tensor<3x4xf32> {onnx.name = "X"}) -> (tensor<3x4xf32> {onnx.name = "y"}) attributes {cim.device = "{}"} {
  %c = onnx.Constant {value = dense<1.0> : tensor<4xf32>} : tensor<4xf32>
  %0 = onnx.Relu %arg0 {cim.ext = {mypass.tile = 3 : i64, mypass.list = [1 : i64, 2.5 : f32, "three"], mypass.nested = {on = true}}} : (tensor<3x4xf32>) -> tensor<3x4xf32> loc("/relu")
  %1 = onnx.Add %0, %c : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32> loc("/add")
  return %1 : tensor<3x4xf32>
}
