"""Names in words for sovcap's figures: parameters, lever values and metrics, with the
units a results file stores for them (`param_label('country.KOR.grid_lead_years', 'yr')` is
'KOR grid lead time (years)'). Part of analysis/sovcap_plots.py, which re-exports these
names."""

import math
import re

# Short names of the parameters of `sovcap params`, for labels and legends (the file
# stores each parameter's units, and a one-line meaning too long for a label).
PARAM_NAMES = {
    "start_year": "start year",
    "end_year": "end year",
    "dt": "time step",
    "seed": "seed",
    "accel_kw": "power per accelerator",
    "accel_kw_growth": "growth of power per accelerator",
    "accel_flops": "compute per accelerator",
    "accel_flops_growth": "growth of compute per accelerator",
    "accel_price_usd": "accelerator price",
    "accel_price_growth": "accelerator price growth",
    "chip_lifetime_years": "chip lifetime",
    "vendor_supply": "vendor chip supply",
    "vendor_supply_growth": "vendor supply growth",
    "other_demand": "other chip demand",
    "other_demand_growth": "other demand growth",
    "allocation": "chip allocation",
    "tier2_cap": "tier-2 export cap",
    "supply_shocks": "supply shocks",
    "it_mw": "IT capacity at start",
    "pipeline_mw": "pipeline at start",
    "grid_mw": "grid power at start",
    "grid_add_mw_per_year": "grid additions",
    "grid_lead_years": "grid lead time",
    "grid_queue": "grid power already queued",
    "onsite_add_mw_per_year": "on-site generation added per year",
    "onsite_lead_years": "on-site generation lead time",
    "onsite_capex_usd_per_mw": "on-site generation cost per MW",
    "pue": "PUE",
    "budget_usd_per_year": "budget",
    "budget_growth": "budget growth",
    "capex_shell_usd_per_mw": "shell cost",
    "electricity_usd_per_mwh": "electricity price",
    "workforce": "workforce",
    "workforce_growth": "workforce growth",
    "staff_per_mw_build": "construction staff per MW",
    "staff_per_mw_ops": "operations staff per MW",
    "build_lead_years": "build lead time",
    "export_tier": "export tier",
    "domestic_accel_per_year": "domestic chip supply",
    "domestic_growth": "domestic supply growth",
    "domestic_perf_ratio": "domestic chip performance",
    "domestic_price_ratio": "domestic chip price",
    "targets": "targets",
}
# Units as stored in the file (`units` attributes), in words; "" for none.
UNIT_WORDS = {
    "1": "", "name": "", "1|2|3": "", "yr": "years", "year": "year", "1/yr": "per year",
    "MW/yr": "MW per year", "USD/yr": "USD per year", "USD/MW": "USD per MW",
    "USD/MWh": "USD per MWh", "accel/yr": "accelerators per year",
    "people/yr": "people per year", "people/MW": "people per MW", "TWh/yr": "TWh per year",
}
CHOICE_WORDS = {"pro_rata": "pro rata", "max_min_fair": "max-min fair"}
# Metrics of `sovcap sensitivity` (docs/output-format.md): words and units.
METRIC_NAMES = {
    "year_gw_reached": ("year 1 GW is reached", "year"),
    "year_target_reached": ("year the final target is reached", "year"),
    "it_mw_final": ("IT capacity at the horizon", "MW"),
    "compute_flops_final": ("compute at the horizon", "FLOP/s"),
    "energy_twh_final": ("energy use at the horizon", "TWh per year"),
    "spend_usd_final": ("spending by the horizon", "USD"),
}



def _unit_words(units):
    return UNIT_WORDS.get(units, units) if units else ""


def param_label(key, units=None, multiply=False):
    """A parameter key in words, with its units: ('country.KOR.grid_lead_years', 'yr') ->
    'KOR grid lead time (years)'; a sampled factor on every country's value (multiply) ->
    "all countries' grid lead time (factor)"."""
    shock = re.fullmatch(r"global\.supply_shocks\[(\d+)\]\.(start|end|factor)", key)
    if shock:
        name = f"supply shock {int(shock.group(1)) + 1} {shock.group(2)}"
        units = units or ("year" if shock.group(2) != "factor" else "")
    else:
        parts = key.split(".")
        name = PARAM_NAMES.get(parts[-1], parts[-1].replace("_", " "))
        if parts[0] == "country" and len(parts) == 3:
            name = f"all countries' {name}" if parts[1] == "*" else f"{parts[1]} {name}"
        elif parts[0] == "defaults":
            name = f"default {name}"
    unit = "factor" if multiply else _unit_words(units)
    return f"{name} ({unit})" if unit else name


def _number(v):
    if abs(v) >= 1e9:
        return f"{v / 1e9:g} billion"
    if abs(v) >= 1e6:
        return f"{v / 1e6:g} million"
    return f"{v:,.0f}" if abs(v) >= 1e4 and v == round(v) else f"{v:g}"


def lever_value_text(key, text, units=None):
    """A lever value as written in the scenario, in words: '"max_min_fair"' -> 'max-min
    fair', '1.75' (yr) -> '1.75 years', '[[2030.0, 2000]]' -> '2,000 MW by 2030'."""
    t = text.strip()
    name = key.split(".")[-1]
    if name == "targets":
        pairs = re.findall(r"\[\s*([-+\d.eE]+)\s*,\s*([-+\d.eE]+)\s*\]", t)
        return ", ".join(f"{float(mw):,.0f} MW by {float(y):g}" for y, mw in pairs) or "none"
    if name == "supply_shocks":
        shocks = []
        for body in re.findall(r"\{([^}]*)\}", t):
            v = {k: float(x) for k, x in re.findall(r"(\w+)\s*=\s*([-+\d.eE]+)", body)}
            shocks.append(f"output ×{v.get('factor', math.nan):g} "
                          f"{v.get('start', math.nan):g}–{v.get('end', math.nan):g}")
        return ", ".join(shocks) or "none"
    t = t.strip('"')
    try:
        v = float(t)
    except ValueError:
        return CHOICE_WORDS.get(t, t.replace("_", " "))
    return f"{_number(v)} {_unit_words(units)}".strip()


def lever_label(key, text, units=None):
    """'KOR grid lead time: 1.75 years'."""
    return f"{param_label(key)}: {lever_value_text(key, text, units)}"


def levers_text(levers, units=None):
    """'KEY = VALUE, KEY = VALUE' (the sensitivity CSV's levers column) in words; units:
    variable -> units of the file (lever.KEY), for numeric values."""
    items = re.split(r",\s*(?=[\w.*\[\]]+ = )", levers.strip()) if levers.strip() else []
    out = []
    for item in items:
        key, _, value = item.partition(" = ")
        out.append(lever_label(key.strip(), value, (units or {}).get("lever." + key.strip())))
    return "; ".join(out)


def metric_label(metric, var_names=None, var_units=None):
    """A metric of `sovcap sensitivity` in words with its units ('it_mw@2030' -> 'AI IT
    capacity in service in 2030 (MW)', from the series' long_name and units)."""
    if metric in METRIC_NAMES:
        name, units = METRIC_NAMES[metric]
        return f"{name} ({units})"
    series, _, year = metric.partition("@")
    if year and var_names and series in var_names:
        units = _unit_words((var_units or {}).get(series, ""))
        return f"{var_names[series]} in {year}" + (f" ({units})" if units else "")
    return metric.replace("_", " ")

