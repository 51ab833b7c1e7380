// load_scenario: the loader's stages in order (sovcap/loader/loader.hpp lists them). Every
// stage reports what it finds and goes on, so that one run shows every problem; the
// stages after a failed one check only what they can check without it.

#include "sovcap/scenario.hpp"

#include "sovcap/loader/loader.hpp"

namespace sovcap {
namespace {

// `with_sweep` false: the [sweep] section is left unread (loading one lever value).
// `text`: the scenario file's contents when already read.
Scenario load(const std::string& path, const std::vector<std::string>& overrides,
              bool with_sweep, const std::string* text) {
  using namespace loader;
  Diags diags;
  Scenario sc;
  sc.path = path;
  sc.overrides = overrides;
  TomlSource src(path);
  std::string error;
  auto read = text ? std::optional<std::string>(*text) : read_text_file(path, error);
  if (!read) diags.add({path, 0, 0}, "", "cannot read the scenario file: " + error);
  if (read) sc.text = std::move(*read);
  if (read && src.parse(sc.text, diags)) {
    const auto made_by_set = apply_overrides(src, overrides, diags);
    check_sections(src, diags);
    ValueSites sites;
    resolve_simulation(src, sc, sites, diags);
    resolve_global(src, sc, sites, diags);
    resolve_countries(src, made_by_set, sc, sites, diags);
    check_rules(sc, sites, diags);
    if (with_sweep) {
      const LoadVariant variant = [&](const std::vector<std::string>& more) {
        return load(path, more, false, &sc.text);
      };
      sc.sweep = read_sweep({src, sc, sites, diags.empty(), diags}, variant);
    }
  }
  if (!diags.empty()) throw InputError(diags.take());
  return sc;
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return load(path, overrides, true, nullptr);
}

}  // namespace sovcap
