// The `cimlir._cimlir` extension (nanobind): a plan loaded in the Python process, run on numpy
// arrays without copying them, and evaluated on a dataset with cim-run's report. The Python
// package (python/cimlir/__init__.py) wraps it; docs/python.md is the reference.
//
// Errors are cimlir::Error, raised as cimlir.Error (a RuntimeError) with the message cim-run
// prints after "cim-run: error: ".
#include "core/Error.h"
#include "runtime/backends/Registry.h"
#include "runtime/exec/CimStepParams.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/Program.h"
#include "runtime/plan/PlanReader.h"
#include "runtime/tooling/RunTool.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nb = nanobind;
using namespace cimlir;

namespace {

using dlcode = nb::dlpack::dtype_code;

/// The DLPack type of each DType (numpy's, as nanobind passes it).
nb::dlpack::dtype dlpackType(DType t) {
  static const std::map<DType, std::pair<dlcode, uint8_t>> types = {
      {DType::F32, {dlcode::Float, 32}}, {DType::F64, {dlcode::Float, 64}},
      {DType::F16, {dlcode::Float, 16}}, {DType::BF16, {dlcode::Bfloat, 16}},
      {DType::I8, {dlcode::Int, 8}},     {DType::I16, {dlcode::Int, 16}},
      {DType::I32, {dlcode::Int, 32}},   {DType::I64, {dlcode::Int, 64}},
      {DType::U8, {dlcode::UInt, 8}},    {DType::U16, {dlcode::UInt, 16}},
      {DType::Bool, {dlcode::Bool, 8}}};
  const auto &[code, bits] = types.at(t);
  return {static_cast<uint8_t>(code), bits, 1};
}

std::optional<DType> dtypeOf(nb::dlpack::dtype d) {
  for (DType t : allDTypes())
    if (dlpackType(t) == d)
      return t;
  return std::nullopt;
}

using AnyArray = nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>;

/// A tensor over the memory of `array` (the numpy array `object`; no copy), which keeps the
/// array alive while the runtime holds it (an output may be an input: Identity).
Tensor viewOf(const std::string &name, nb::handle object, const AnyArray &array) {
  const std::optional<DType> dtype = dtypeOf(array.dtype());
  if (!dtype)
    throw Error("input '" + name + "': an array of a type cimlir does not take");
  Shape shape;
  for (size_t i = 0; i < array.ndim(); ++i)
    shape.push_back(static_cast<int64_t>(array.shape(i)));
  auto *held = new nb::object(nb::borrow(object));
  std::shared_ptr<const void> owner(held, [](const void *p) {
    nb::gil_scoped_acquire gil; // the last holder may be a runtime thread
    delete static_cast<const nb::object *>(p);
  });
  return Tensor::view(*dtype, shape, const_cast<void *>(array.data()), owner);
}

/// A numpy array that owns the tensor's storage.
nb::object arrayOf(Tensor t) {
  std::vector<size_t> shape(t.shape().begin(), t.shape().end());
  auto *held = new Tensor(std::move(t));
  nb::capsule owner(held, [](void *p) noexcept { delete static_cast<Tensor *>(p); });
  return nb::cast(nb::ndarray<nb::numpy>(held->raw(), shape.size(), shape.data(), owner, nullptr,
                                         dlpackType(held->dtype())));
}

nb::list specsOf(const std::vector<TensorSpec> &specs) {
  nb::list out;
  for (const TensorSpec &s : specs)
    out.append(nb::make_tuple(s.name, dtypeName(s.dtype), nb::cast(s.shape)));
  return out;
}

/// A loaded plan, and the executor of its last run (programming the chips is done once per
/// backend and run-time parameters, not per call). One run at a time.
class PlanHandle {
public:
  explicit PlanHandle(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

  // (Handed to Python by pointer: a handle holds a mutex, which does not move.)
  static std::unique_ptr<PlanHandle> fromFile(const std::string &path) {
    return std::make_unique<PlanHandle>(Program::load(path));
  }
  static std::unique_ptr<PlanHandle> fromBytes(const nb::bytes &bytes, const std::string &name) {
    const auto *begin = static_cast<const unsigned char *>(bytes.data());
    std::vector<unsigned char> copy(begin, begin + bytes.size());
    return std::make_unique<PlanHandle>(Program::fromPlan(plan::PlanFile::fromMemory(copy, name)));
  }

  const Program &program() const { return *program_; }

  nb::dict run(const nb::dict &inputs, const std::string &backend,
               const std::vector<std::string> &settings, std::optional<uint64_t> seed,
               std::optional<uint64_t> chipSeed, int64_t firstSample, int64_t repeat) {
    if (firstSample < 0 || repeat < 0)
      throw Error("sample_offset and repeat must be at least 0");
    TensorMap map;
    for (auto [key, value] : inputs) {
      const std::string name = nb::cast<std::string>(key);
      AnyArray array;
      if (!nb::try_cast(value, array, /*convert=*/false))
        throw Error("input '" + name + "': expected a C-contiguous numpy array");
      map[name] = viewOf(name, value, array);
    }
    TensorMap outputs;
    {
      nb::gil_scoped_release noGil;
      std::lock_guard<std::mutex> lock(mutex_);
      CimOverrides cim;
      cim.settings = settings;
      cim.seed = seed;
      cim.chipSeed = chipSeed;
      Executor &executor = executorFor(backend, cim);
      outputs = executor.run(map, RunContext{firstSample, repeat});
      map.clear(); // the input views let go of their arrays (under the GIL: their owner's deleter)
    }
    nb::dict out;
    for (auto &[name, tensor] : outputs)
      out[name.c_str()] = arrayOf(std::move(tensor));
    return out;
  }

  std::string evaluate(RunOptions options) {
    options.plan = program_->path(); // the report's "plan", as cim-run names its argument
    nb::gil_scoped_release noGil;
    std::lock_guard<std::mutex> lock(mutex_);
    return evaluatePlan(options, program_).dump();
  }

private:
  Executor &executorFor(const std::string &backend, const CimOverrides &cim) {
    const std::string key = backend + "\n" + nlohmann::json(cim.settings).dump() + "\n" +
                            (cim.seed ? std::to_string(*cim.seed) : "-") + "\n" +
                            (cim.chipSeed ? std::to_string(*cim.chipSeed) : "-");
    if (!executor_ || key != executorKey_) {
      checkOverrides(cim);
      checkOverrideGlobs(cim, *program_);
      BackendOptions options;
      options.cim = cim;
      executor_.reset();
      executor_ = std::make_unique<Executor>(program_, createBackend(backend, options));
      executorKey_ = key;
    }
    return *executor_;
  }

  std::shared_ptr<const Program> program_;
  std::unique_ptr<Executor> executor_;
  std::string executorKey_;
  std::mutex mutex_;
};

} // namespace

NB_MODULE(_cimlir, m) {
  m.doc() = "cimlir's runtime in Python (docs/python.md); use the cimlir package, not this module";
  nb::exception<Error>(m, "Error", PyExc_RuntimeError);

  nb::class_<PlanHandle>(m, "PlanHandle")
      .def_static("from_file", &PlanHandle::fromFile, nb::arg("path"))
      .def_static("from_bytes", &PlanHandle::fromBytes, nb::arg("data"), nb::arg("name"))
      .def_prop_ro("path", [](const PlanHandle &p) { return p.program().path(); })
      .def_prop_ro("source", [](const PlanHandle &p) { return p.program().source(); })
      .def_prop_ro("device", [](const PlanHandle &p) { return p.program().device(); })
      .def_prop_ro("inputs", [](const PlanHandle &p) { return specsOf(p.program().inputs()); })
      .def_prop_ro("outputs", [](const PlanHandle &p) { return specsOf(p.program().outputs()); })
      .def("run", &PlanHandle::run, nb::arg("inputs"), nb::arg("backend"), nb::arg("settings"),
           nb::arg("seed").none(), nb::arg("chip_seed").none(), nb::arg("sample_offset"),
           nb::arg("repeat"))
      .def(
          "evaluate",
          [](PlanHandle &p, const std::string &dataset, const std::string &inputs,
             const std::string &split, int64_t limit, int64_t batch, int64_t repeats,
             const std::vector<std::string> &settings, std::optional<uint64_t> seed,
             std::optional<uint64_t> chipSeed, const std::string &reference,
             const std::string &backend, bool perplexity) {
            RunOptions o;
            o.dataset = dataset;
            o.inputs = inputs;
            o.split = split;
            o.limit = limit;
            o.batch = batch;
            o.repeats = repeats;
            o.cim.settings = settings;
            o.cim.seed = seed;
            o.cim.chipSeed = chipSeed;
            o.reference = reference;
            o.backend = backend;
            o.perplexity = perplexity;
            return p.evaluate(o);
          },
          nb::arg("dataset"), nb::arg("inputs"), nb::arg("split"), nb::arg("limit"),
          nb::arg("batch"), nb::arg("repeats"), nb::arg("settings"), nb::arg("seed").none(),
          nb::arg("chip_seed").none(), nb::arg("reference"), nb::arg("backend"),
          nb::arg("perplexity"));
  // The backends built in, with "" where one can run here, else why not.
  m.def("backends", [] {
    nb::list out;
    for (const BackendInfo &b : registeredBackends())
      out.append(nb::make_tuple(b.name, b.unavailable()));
    return out;
  });
}
