"""Record a real API through a proxy and write it as an editable spec, personal data replaced by Faker.

``Recorder`` is the recording proxy (an ASGI app), ``build_spec`` turns exchanges into a spec, and
``Anonymiser`` replaces personal data; `mockery record` (mockery.record.run) runs them behind uvicorn.
"""

from mockery.record.anonymise import Anonymiser, kind_of
from mockery.record.recorder import Recorder, Summary, build_spec, service_name, write_spec

__all__ = ["Anonymiser", "Recorder", "Summary", "build_spec", "kind_of", "service_name", "write_spec"]
