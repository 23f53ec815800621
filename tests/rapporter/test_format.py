from decimal import Decimal as D

from rapporter.format import MINUS, NBSP, Presentation, procent, tal, värde


def test_tal_svenskt_format():
    assert tal(D(1234)) == f"1{NBSP}234"
    assert tal(D(-1022)) == f"{MINUS}1{NBSP}022"
    assert tal(D("26.5"), 1) == "26,5"
    assert tal(D("-0.4")) == "0"  # never "−0"
    assert procent(D("26.5")) == f"26,5{NBSP}%"
    assert värde(D("11.14")) == "11,14" and värde(D("62579.00")) == f"62{NBSP}579"


def test_presentation_tkr_och_mnkr_med_kostnader_negativa():
    tkr = Presentation("tkr", False)
    assert tkr.kostnad(D("26549000")) == f"26{NBSP}549"
    mnkr = Presentation("mnkr", True)
    assert mnkr.kostnad(D("26549000")) == f"{MINUS}26,5"
    # An avvikelse keeps its sign under both conventions: positive = better than budget.
    assert mnkr.avvikelse(D("-684000")) == f"{MINUS}0,7"
    assert tkr.avvikelse(D("-684000")) == f"{MINUS}684"
