"""The audit chain under concurrent writers from several nodes (issue 21): separate
processes, each with its own engine, append to one store at once; the chain stays one
unbroken sequence on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from kuzet.privacy.audit_verify import verify_audit
from kuzet.privacy.keys import Signer
from kuzet.store import open_store

NODES, EACH = 3, 40

NODE = """
import sys
from pathlib import Path
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.keys import Signer
from kuzet.store import open_store
url, folder, node = (sys.argv[1] or None), Path(sys.argv[2]), sys.argv[3]
store = open_store(url, folder)
audit = AuditLog(store.engine, Signer.load_or_create(folder), checkpoint_every=25)
for i in range({each}):
    audit.record("event.view", actor=node, target=f"ev-{{i}}", details={{"i": i}})
audit.close()
store.close()
"""


def test_nodes_appending_at_once_keep_one_chain(tmp_path: Path, db_url: str | None) -> None:
    store = open_store(db_url, tmp_path)  # migrated before the nodes start
    signer = Signer.load_or_create(tmp_path)
    script = NODE.format(each=EACH)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, db_url or "", str(tmp_path), f"node{n}"],
                         stderr=subprocess.PIPE, text=True)
        for n in range(NODES)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
    report = verify_audit(store.engine, signer.public_pem())
    assert report.ok, report.issues
    with store.engine.connect() as conn:
        views = conn.execute(sa.text(
            "SELECT actor, count(*) FROM audit_log WHERE action = 'event.view' GROUP BY actor"
        )).all()
        seqs = [r[0] for r in conn.execute(sa.text("SELECT seq FROM audit_log ORDER BY seq"))]
    assert dict(views) == {f"node{n}": EACH for n in range(NODES)}
    assert seqs == list(range(1, len(seqs) + 1)), "one gapless sequence"
    store.close()
