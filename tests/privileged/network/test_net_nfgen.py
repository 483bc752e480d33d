"""nfnetlink reads (``berth.network.nfgen``) against what ``nft`` made, in a throwaway
namespace: the generation moves once per commit, chains and rule comments are found."""

from __future__ import annotations

import pytest
from nettest_util import nft

from berth.network import nfgen

pytestmark = pytest.mark.root


def test_generation_chains_and_comments(hostns: str) -> None:
    nf = nfgen.NfTables(hostns)
    try:
        gen = nf.generation()
        assert gen is not None
        assert nfgen.forward_families(nf) == []
        assert nf.rule_comments("ip", "filter", "FORWARD") == []
        nft(hostns, "-f", "-", stdin="add table ip filter\nadd chain ip filter FORWARD "
            "{ type filter hook forward priority 0; policy drop; }\n"
            "add rule ip filter FORWARD iifname a accept comment \"berth\"\n"
            "add rule ip filter FORWARD iifname b accept\n"
            "add chain ip filter OTHER\nadd rule ip filter OTHER accept comment \"berth\"\n")
        assert nf.generation() == gen + 1
        nft(hostns, "list", "ruleset")
        assert nf.generation() == gen + 1  # reading is no commit
        assert nfgen.forward_families(nf) == ["ip"]
        comments = [c for _, c in nf.rule_comments("ip", "filter", "FORWARD")]
        assert comments == ["berth", ""]
        assert len(nfgen.berth_rules(nf, "ip", "berth")) == 1
    finally:
        nf.close()
