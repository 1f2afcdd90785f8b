// cim-run: executes a cimlir plan on inputs or a dataset and reports metrics.
//
//   cim-run PLAN.bin --dataset PATH [--split test] [--batch 64] [--limit N] [--report R.json]
//   cim-run PLAN.bin --inputs IN.npz --outputs OUT.npz
#include "runtime/tooling/RunTool.h"

#include <CLI/CLI.hpp>

int main(int argc, char **argv) {
  cimlir::RunOptions o;
  CLI::App app{"cim-run " CIMLIR_VERSION ": run a cimlir plan (compiled by cim-opt) on the CPU"};
  app.add_option("plan", o.plan, "the plan file from cim-opt")->required();
  app.add_option("--inputs", o.inputs, "a .npz with an array per graph input (keyed by name)");
  app.add_option("--outputs", o.outputs, "write the graph outputs to this .npz");
  app.add_option("--dataset", o.dataset,
                 "IDX directory or file (MNIST family), .npz (inputs + labels), or ONNX "
                 "test-data directory (test_data_set_*/*.pb)");
  app.add_option("--split", o.split, "IDX split: test (t10k-*) or train")
      ->check(CLI::IsMember({"test", "train"}));
  app.add_option("--batch", o.batch, "samples per run (default 64)")->check(CLI::PositiveNumber);
  app.add_option("--limit", o.limit, "evaluate at most this many samples")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--reference", o.reference,
                 "a .npz with the framework's `predictions`; reports agreement");
  app.add_option("--report", o.report, "write a JSON report here");
  app.add_option("--rtol", o.tolerance.rtol, "relative tolerance against reference outputs");
  app.add_option("--atol", o.tolerance.atol, "absolute tolerance against reference outputs");
  app.add_flag("--quiet", o.quiet, "print no summary line");
  app.add_flag("--profile", o.profile, "time every step; print a table to stderr, add it to the report");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() != 0) {
      std::cerr << "cim-run: error: " << e.what() << " (see cim-run --help)" << std::endl;
      return 2;
    }
    return app.exit(e);
  }
  return cimlir::runTool(o);
}
