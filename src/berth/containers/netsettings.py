"""netglue's second half: inspect's ``NetworkSettings`` in docker's shape, and the
container side of ``network connect``/``disconnect`` (live for running containers, in
the record otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from berth import errdefs
from berth.network import ports as netports

if TYPE_CHECKING:
    from .netglue import ContainerNetworks


def network_settings(glue: ContainerNetworks, rec: dict[str, Any]) -> dict[str, Any]:
    from .netglue import NO_ENDPOINT, _epcfg, _mode, sandbox_id

    cid, mode = rec["ID"], _mode(rec)
    running = bool(rec["State"].get("Running"))
    eps = {e.network_name: e for e in glue.service.endpoints(cid)} if running else {}
    nets: dict[str, Any] = {}
    if mode in ("host", "none"):
        names = [mode]
    elif mode.startswith("container:"):
        names = []
    else:
        names = list(_epcfg(rec))
    for name in names:
        cfg = _epcfg(rec).get(name) or {}
        out: dict[str, Any] = dict(NO_ENDPOINT)  # flat: scalars and None
        out["IPAMConfig"] = cfg.get("IPAMConfig") or None
        out["Aliases"] = cfg.get("Aliases") or None
        out["Links"] = cfg.get("Links") or None
        out["DriverOpts"] = cfg.get("DriverOpts") or None
        out["MacAddress"] = cfg.get("MacAddress") or ""
        try:
            out["NetworkID"] = glue.service.network_id(name)
        except errdefs.NotFound:
            pass
        ep = eps.get(name)
        if ep is not None:
            out.update(EndpointID=ep.id, Gateway=ep.gateway, IPAddress=ep.ipv4,
                       IPPrefixLen=ep.prefixlen, IPv6Gateway=ep.gateway6,
                       GlobalIPv6Address=ep.ipv6, GlobalIPv6PrefixLen=ep.prefixlen6,
                       MacAddress=ep.mac, DNSNames=ep.dns_names or None)
        nets[name] = out
    hc = rec["HostConfig"]
    ports: dict[str, Any] = {}
    if running and eps:
        _, keys = netports.plan(hc.get("PortBindings"), rec["Config"].get("ExposedPorts"),
                                bool(hc.get("PublishAllPorts")))
        ports = netports.settings_ports(keys, glue.service.port_mappings(cid))
    default = nets.get("bridge") if mode == "bridge" else None
    top = default or NO_ENDPOINT
    sandboxed = running and bool(eps)
    return {"Bridge": "", "SandboxID": sandbox_id(cid) if sandboxed else "",
            "SandboxKey": glue.service.sandbox_path(cid) if sandboxed else "",
            "HairpinMode": False, "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
            "Ports": ports, "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None,
            "EndpointID": top["EndpointID"], "Gateway": top["Gateway"],
            "GlobalIPv6Address": top["GlobalIPv6Address"],
            "GlobalIPv6PrefixLen": top["GlobalIPv6PrefixLen"], "IPAddress": top["IPAddress"],
            "IPPrefixLen": top["IPPrefixLen"], "IPv6Gateway": top["IPv6Gateway"],
            "MacAddress": top["MacAddress"], "Networks": nets}


def _target(glue: ContainerNetworks, network_ref: str,
            container_ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if glue.lookup is None or glue.save is None:
        raise errdefs.FailedPrecondition("network connect needs the container service")
    rec = glue.lookup(container_ref)
    net = glue.service.resolve(network_ref)
    return rec, net


def connect(glue: ContainerNetworks, network_ref: str, container_ref: str,
            cfg: dict[str, Any]) -> None:
    from .netglue import _epcfg, _mode

    rec, net = _target(glue, network_ref, container_ref)
    mode = _mode(rec)
    if mode == "host" or net["Driver"] == "host":
        raise errdefs.PermissionDenied("container cannot be disconnected from host network "
                                       "or connected to host network")
    if mode == "none" or net["Driver"] == "null":
        raise errdefs.PermissionDenied("container cannot be connected to multiple networks "
                                       "with one of the networks in private (none) mode")
    if mode.startswith("container:"):
        raise errdefs.PermissionDenied("conflicting options: container type network can't "
                                       "be used with multiple networks")
    eps = _epcfg(rec)
    name = rec["Name"].lstrip("/")
    if net["Name"] in eps:
        raise errdefs.PermissionDenied(f"endpoint with name {name} already exists in "
                                       f"network {net['Name']}")
    glue._check_ip(net, cfg)
    if rec["State"].get("Running"):
        cid = rec["ID"]
        glue.service.join(cid, net["Id"], glue.service.sandbox_path(cid), glue._spec(rec, cfg))
        if net["Name"] != "bridge" and glue.dns is not None:
            glue.dns.start_for(cid, glue.service.sandbox_path(cid))
    eps[net["Name"]] = cfg
    rec["NetworkingConfig"] = {"EndpointsConfig": eps}
    assert glue.save is not None
    glue.save(rec)


def disconnect(glue: ContainerNetworks, network_ref: str, container_ref: str,
               force: bool) -> None:
    from .netglue import _epcfg, _mode

    rec, net = _target(glue, network_ref, container_ref)
    if _mode(rec) == "host" or net["Driver"] == "host":
        raise errdefs.PermissionDenied("container cannot be disconnected from host network "
                                       "or connected to host network")
    eps = _epcfg(rec)
    if net["Name"] not in eps:
        raise errdefs.PermissionDenied(f"container {rec['ID']} is not connected to network "
                                       f"{net['Name']}")
    if rec["State"].get("Running"):
        glue.service.leave(rec["ID"], net["Id"])
    del eps[net["Name"]]
    rec["NetworkingConfig"] = {"EndpointsConfig": eps}
    assert glue.save is not None
    glue.save(rec)
