#pragma once
// What every subcommand shares: parsing its arguments, and turning the library's
// exceptions into messages and exit codes (0 ok, 2 bad input, 1 other failure).

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "command_spec.hpp"
#include "commands.hpp"
#include "sovcap/output.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/summary_io.hpp"

namespace sovcap::app {

// Parses `args` against the command's options and operands. Returns false when --help was
// asked for (the help has been printed). Bad usage is a RequestError.
bool parse_args(const std::vector<std::string>& args, const CommandSpec& spec,
                boost::program_options::variables_map& vm);

// Prints each diagnostic of bad input, one per line, then how many there were.
void print_diagnostics(const InputError& e);

// Prints each warning of an analysis on stderr, after "sovcap: warning: ".
void print_warnings(const std::vector<std::string>& warnings);

// Declares the options that choose what a summary shows and how: --format, --years,
// --periods, --reach, --by and --pool (read by summary_request), --by and --pool shown as
// one choice in the synopsis.
void add_summary_options(CommandSpec& spec);

// The summary asked for by those options; bad values are a RequestError naming the option.
SummaryRequest summary_request(const boost::program_options::variables_map& vm);

// Runs `body`, mapping the library's exceptions onto exit codes and messages.
template <class F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    print_diagnostics(e);
    return kExitBadInput;
  } catch (const RequestError& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const OutputRefused& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const OutputError& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    // Partial outputs are closed by now (while unwinding). After a failed flush (a
    // full disk) HDF5 1.10.8 leaves the file half-closed and crashes in its atexit
    // clean-up (fixed upstream in HDF5 1.14), so leave without running it.
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(kExitFailure);
  } catch (const std::exception& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace sovcap::app
