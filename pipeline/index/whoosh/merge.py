"""Merging a Whoosh index's segments: Whoosh's tier merge, written faster, the same segment to the byte.

Whoosh's own merge (``add_reader``) asks every document for every field's
length, one call each, and sends every posting through the writer's sorting
pool (pickled to disk and back) although each segment's postings are already
sorted. :func:`add_readers` copies each merged segment's documents a column at
a time and writes the postings straight from the segments' blocks, their
terms merged in order. Given helpers (:class:`~pipeline.index.writing.MergeHelpers`:
an ingest's workers), other processes write the merged postings in parts, a
range of terms each (:class:`PostingsTask`), and the merging process appends
them: the same single segment.

This works on Whoosh internals (the W3 codec's column, postings and
term-table writers and readers), whose types are checked exactly before
anything is written; anything else is merged by Whoosh's ``add_reader``.
It is the only module that knows them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from pipeline.index.writing import MergeHelpers, SegmentStaging

#: Bytes of postings (in the segments merged) below which a merge given helpers writes them all
#: itself: so small a merge takes less time than handing out its parts costs.
MIN_PARALLEL_MERGE_BYTES = 1 << 20

#: A term of the index: (field name, its text as Whoosh encodes it).
Term = tuple[str, bytes]


def merge_tiers(writer: Any, segments: list[Any], helpers: MergeHelpers | None = None) -> list[Any]:
    """A Whoosh merge policy: keep each segment larger than all the smaller ones together, merge the rest.

    Largest first: a segment is kept while its documents outnumber those of
    every segment after it; the rest (two or more) are merged into the
    writer's new segment (:func:`add_readers`: Whoosh's merge, written faster;
    with ``helpers``, its postings written in parts by other processes).
    """
    from whoosh.reading import SegmentReader

    ordered = sorted(segments, key=lambda seg: seg.doc_count_all(), reverse=True)
    sizes = [seg.doc_count_all() for seg in ordered]
    keep = 0
    while keep < len(ordered) and sizes[keep] > sum(sizes[keep + 1 :]):
        keep += 1
    rest = ordered[keep:]
    if len(rest) < 2 and not any(seg.has_deletions() for seg in rest):
        return segments
    readers: list[Any] = []
    try:
        for seg in rest:
            readers.append(SegmentReader(writer.storage, writer.schema, seg))
    except BaseException:
        for reader in readers:
            reader.close()
        raise
    add_readers(writer, readers, helpers=helpers)
    return ordered[:keep]


def add_readers(writer: Any, readers: list[Any], *, helpers: MergeHelpers | None = None) -> None:
    """``writer.add_reader(r)`` for each segment reader, in order, writing the same segment faster; closes them.

    Whoosh's own merge (``add_reader``) asks every document for every
    field's length, one call each, and sends every posting through the
    writer's sorting pool (pickled to disk and back) although each segment's
    postings are already sorted. When the writer and the readers are exactly
    Whoosh's plain segment writer and readers of the W3 codec
    (:class:`_SegmentMerge` checks), the documents are copied a column at a
    time (each field's lengths read once per segment, stored fields copied as
    written), and the postings go straight from the segments' blocks to the
    new segment's postings writer, the segments' terms merged in order.
    Otherwise (another codec, a writer that already holds documents...)
    Whoosh's ``add_reader`` does it. The readers are closed once the writer
    has flushed or cancelled the segment (the postings are read then).

    ``helpers``: other processes to write the postings in parts, a range of
    terms each (:class:`MergeHelpers`); the segment is the same.
    """
    merge = _SegmentMerge.of(writer, readers)
    if merge is not None:
        merge.add_to(writer, helpers)
        return
    try:
        for reader in readers:
            writer.add_reader(reader)
    finally:
        for reader in readers:
            reader.close()


@dataclass(frozen=True, slots=True)
class PostingsTask:
    """One part of a merge's postings: call it (in any process) to write it in a staging directory.

    The merged postings of the terms from ``start`` (included; None: the
    first) to ``stop`` (excluded; None: past the last) of committed segments
    of the index at ``index_dir`` (read only), numbered as the merge numbers
    their documents, written by Whoosh's field writer into a segment of its
    own in ``directory`` (its postings and term table). Picklable. Returns
    that segment, which the merge appends to its own (:class:`_SegmentMerge`).
    """

    index_dir: str
    directory: str
    schema: Any
    codec: Any  # the merging writer's codec (its block size and compression)
    segments: tuple[Any, ...]
    start: Term | None
    stop: Term | None
    indexname: str  # the index's Whoosh name, which the part's files carry

    def __call__(self) -> Any:
        from whoosh.filedb.filestore import FileStorage
        from whoosh.reading import SegmentReader

        source = FileStorage(self.index_dir, readonly=True)
        readers: list[Any] = []
        try:
            for seg in self.segments:
                readers.append(SegmentReader(source, self.schema, seg))
            merge = _SegmentMerge.of_readers(self.schema, readers)
            if merge is None:
                raise ValueError("these segments cannot be merged in parts")
            storage = FileStorage(self.directory)
            segment = self.codec.new_segment(storage, self.indexname)
            fw = self.codec.field_writer(storage, segment)
            try:
                merge.write_terms(fw, self.start, self.stop)
            finally:
                fw.close()
            return segment
        finally:
            for reader in readers:
                reader.close()


class _SegmentMerge:
    """The fast path of :func:`add_readers`: segments merged into a writer's new segment, as ``add_reader`` merges them.

    The new segment holds what Whoosh's merge writes: the same documents
    (deleted ones dropped) numbered the same way, the same stored fields,
    field lengths (and totals), columns and postings, so the same files
    byte for byte except the stored-fields column, whose records are copied
    as they were written (Whoosh re-pickles each record with its fields in
    the order of a Python set, which differs between processes). It works on
    Whoosh internals (the W3 codec's column, postings and term-table
    writers, whose types are checked exactly in :meth:`of`): the writer's
    ``_flush_segment`` and ``_close_segment`` are replaced, for this writer
    only, by ones that write the merged postings and close the readers.

    With helpers (:class:`MergeHelpers`), the postings are split into ranges
    of terms of about equal work (by the largest segment's terms:
    :func:`_split_terms`), each
    written by another process (:class:`PostingsTask`) while this one copies
    the documents; the parts' postings are appended in order and their terms
    listed with their postings' new offsets. Postings blocks hold no offsets,
    so the segment is the same, byte for byte, as written here in one go; a
    part that fails is written here.
    """

    def __init__(self, schema: Any, readers: list[Any]) -> None:
        from whoosh.codec import whoosh3

        self.schema = schema
        self.readers = readers
        self.live: list[Any] = []  # each reader's documents kept, in order
        self.bases: list[int] = []  # the new number of each reader's first document
        self.renumber: list[list[int] | None] = []  # old -> new document numbers (None: base + old)
        self.lengths: list[dict[str, bytes]] = []  # each reader's length bytes by field, a byte a document
        self.parts: list[tuple[Term | None, Term | None, Any, Any]] = []
        self.staging: SegmentStaging | None = None
        base = 0
        for reader in readers:
            perdoc = reader._perdoc
            count = perdoc.doc_count_all()
            deleted = frozenset(perdoc.deleted_docs())
            live = [d for d in range(count) if d not in deleted] if deleted else range(count)
            renumber: list[int] | None = None
            if deleted:
                renumber = [-1] * count
                for new, old in enumerate(live, base):
                    renumber[old] = new
            lengths: dict[str, bytes] = {}
            for name in schema.names():
                source = perdoc._cached_reader(whoosh3._lenfield(name), whoosh3.LENGTHS_COLUMN)
                if source is not None:
                    data = source._dbfile.get(source._basepos, source._count)
                    lengths[name] = bytes(data) + bytes(max(0, count - source._count))
            self.live.append(live)
            self.bases.append(base)
            self.renumber.append(renumber)
            self.lengths.append(lengths)
            base += len(live)

    @classmethod
    def of(cls, writer: Any, readers: list[Any]) -> "_SegmentMerge | None":
        """The fast merge when the writer and every reader are exactly what it was written for, else None."""
        from whoosh.codec import whoosh3
        from whoosh.columns import CompressedBytesColumn, PickleColumn
        from whoosh.filedb.filetables import OrderedHashWriter
        from whoosh.writing import PostingPool, SegmentWriter

        if type(writer) is not SegmentWriter or type(writer.codec) is not whoosh3.W3Codec:
            return None
        if type(writer.perdocwriter) is not whoosh3.W3PerDocWriter:
            return None
        if type(writer.fieldwriter) is not whoosh3.W3FieldWriter:
            return None
        pool, pdw = writer.pool, writer.perdocwriter
        if type(pool) is not PostingPool or pool.current or pool.runs:
            return None
        if writer._added or writer.docnum or pdw._doccount:
            return None  # the writer holds documents already
        if pdw.is_closed or writer.fieldwriter.is_closed or set(pdw._colwriters) != {"_stored"}:
            return None
        if type(writer.fieldwriter._tindex) is not OrderedHashWriter or writer.fieldwriter._fieldmap:
            return None
        stored = pdw._colwriters["_stored"]
        if type(stored) is not PickleColumn.Writer or type(stored._child) is not CompressedBytesColumn.Writer:
            return None
        return cls.of_readers(writer.schema, readers)

    @classmethod
    def of_readers(cls, schema: Any, readers: list[Any]) -> "_SegmentMerge | None":
        """The readers' side of :meth:`of` (what a process writing a part of the postings needs)."""
        from whoosh.codec import whoosh3
        from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn
        from whoosh.filedb.filetables import OrderedHashReader
        from whoosh.reading import SegmentReader

        if not readers or any(field.vector for _, field in schema.items()):
            return None
        for reader in readers:
            if type(reader) is not SegmentReader or reader.schema is not schema or reader.is_closed:
                return None
            if reader.segment().is_compound():  # its files are read through Whoosh's compound storage
                return None
            if type(reader.codec()) is not whoosh3.W3Codec or type(reader._perdoc) is not whoosh3.W3PerDocReader:
                return None
            terms = reader._terms
            if type(terms) is not whoosh3.W3TermsReader or type(terms._tindex) is not OrderedHashReader:
                return None
            # Its terms come in the order the pool would sort them: field numbers follow field names.
            if [name for name, _ in sorted(terms._fieldmap.items(), key=lambda kv: kv[1])] != sorted(terms._fieldmap):
                return None
            column = reader._perdoc._cached_reader("_stored", whoosh3.STORED_COLUMN)
            if column is not None and (
                type(column) is not PickleColumn.Reader or type(column._child) is not CompressedBytesColumn.Reader
            ):
                return None
            for name in schema.names():
                length = reader._perdoc._cached_reader(whoosh3._lenfield(name), whoosh3.LENGTHS_COLUMN)
                if length is not None and (type(length) is not NumericColumn.Reader or length._fixedlen != 1):
                    return None
        return cls(schema, readers)

    # ---- into a writer

    def add_to(self, writer: Any, helpers: MergeHelpers | None = None) -> None:
        """Write the readers' documents into the writer's segment now; their postings when it is flushed.

        With ``helpers``, the parts of the postings are handed to them first.
        """
        try:
            if helpers is not None:
                self._start_parts(writer, helpers)
            for i in range(len(self.readers)):
                self._add_documents(writer, i)
        except BaseException:
            self._close()
            raise
        writer._added = True

        def _flush_segment() -> None:
            self._flush(writer)

        close_segment = writer._close_segment

        def _close_segment() -> None:
            try:
                close_segment()
            finally:
                self._close()

        writer._flush_segment = _flush_segment
        writer._close_segment = _close_segment

    def _add_documents(self, writer: Any, i: int) -> None:
        """What ``SegmentWriter.write_per_doc`` writes for one reader, a column at a time."""
        from collections import Counter

        from whoosh.codec import whoosh3
        from whoosh.columns import TranslatingColumnReader, VarBytesColumn
        from whoosh.util.numeric import byte_to_length

        pdw, schema = writer.perdocwriter, self.schema
        reader, live, base, deleted = self.readers[i], self.live[i], self.bases[i], self.renumber[i] is not None
        perdoc = reader._perdoc
        assert base == writer.docnum

        # Stored fields: the records as written (compressed pickles), copied.
        column = perdoc._cached_reader("_stored", whoosh3.STORED_COLUMN)
        if column is not None:
            raw, target = column._child, pdw._colwriters["_stored"]._child
            get, put = VarBytesColumn.Reader.__getitem__, VarBytesColumn.Writer.add  # no (de)compression
            for new, old in enumerate(live, base):
                data = get(raw, old)
                if data:
                    put(target, new, data)

        # Field lengths: a byte a document, read once per field.
        for name, data in self.lengths[i].items():
            kept = bytes(data[d] for d in live) if deleted else data
            total = sum(byte_to_length(b) * n for b, n in Counter(kept).items() if b)
            if not total:
                continue
            lenfield = whoosh3._lenfield(name)
            if not pdw._has_column(lenfield):
                pdw._create_column(lenfield, whoosh3.LENGTHS_COLUMN)
            _append_bytes(pdw._get_column(lenfield), base, kept)
            pdw._fieldlengths[name] += total

        # Other columns (sortable fields): value by value, as Whoosh copies them.
        for name, field in schema.items():
            coltype = field.column_type
            if not coltype or not reader.has_column(name):
                continue
            source = reader.column_reader(name, coltype)
            if isinstance(source, TranslatingColumnReader):
                source = source.raw_column()
            if not pdw._has_column(name):
                pdw._create_column(name, coltype)
            target = pdw._get_column(name)
            for new, old in enumerate(live, base):
                target.add(new, source[old])

        pdw._doccount += len(live)
        writer.docnum += len(live)

    def _flush(self, writer: Any) -> None:
        """``SegmentWriter._flush_segment`` with the readers' postings merged term by term instead of the pool's."""
        writer.perdocwriter.close()
        fw = writer.fieldwriter
        if not self.parts:
            self.write_terms(fw)
        for start, stop, task, future in self.parts:
            done = None
            if future is not None:
                try:
                    done = future.result()
                except Exception:  # the part is written here
                    done = None
            if done is None or not self._append_part(fw, task, done):
                self.write_terms(fw, start, stop)
        fw.close()

    def _close(self) -> None:
        for reader in self.readers:
            if not reader.is_closed:
                reader.close()
        for _, _, task, _ in self.parts:
            if task is not None and self.staging is not None:
                self.staging.discard(task)

    # ---- postings

    def _terms(self, i: int, start: Term | None, stop: Term | None) -> Iterator[tuple[Term, int, Any]]:
        """A reader's terms from ``start`` (included) to ``stop`` (excluded), in order: (term, i, term info)."""
        from whoosh.codec import whoosh3

        schema = self.schema
        terms = self.readers[i]._terms
        tindex = terms._tindex
        if start is None:
            ranges = tindex._ranges()
        else:
            key = _source_key(terms, *start)
            if key is None:
                return
            ranges = tindex.ranges_from(key)
        get, decode, info = tindex.dbfile.get, terms._keydecoder, whoosh3.W3TermInfo.from_bytes
        for keypos, keylen, datapos, datalen in ranges:
            term = decode(get(keypos, keylen))
            if stop is not None and term >= stop:
                return
            if term[0] in schema:
                yield term, i, info(get(datapos, datalen))

    def _postings(self, i: int, fieldname: str, info: Any) -> Iterator[tuple[Any, Any, Any]]:
        """A reader's postings of one term, a block at a time: (document numbers, weights, values)."""
        from whoosh.codec import whoosh3

        reader = self.readers[i]
        m = reader.codec().postings_reader(reader._terms._postfile, info, self.schema[fieldname].format)
        if type(m) is whoosh3.W3LeafMatcher:
            while True:
                m._read_ids()
                m._read_weights()
                m._read_values()
                yield m._ids, m._weights, m._values
                if m._lastblock:
                    return
                m._goto(m._nextoffset)
        ids, weights, values = [], [], []  # pragma: no cover - an inlined term (Whoosh writes none)
        while m.is_active():  # pragma: no cover
            ids.append(m.id())
            weights.append(m.weight())
            values.append(m.value())
            m.next()
        yield ids, weights, values  # pragma: no cover

    def write_terms(self, fw: Any, start: Term | None = None, stop: Term | None = None) -> None:
        """Write the merged postings of the terms from ``start`` to ``stop`` with a W3 field writer (not closed)."""
        import heapq
        from itertools import groupby
        from operator import itemgetter

        from whoosh.util.numeric import byte_to_length

        schema = self.schema
        table = [byte_to_length(b) for b in range(256)]
        table[0] = 0
        merged = heapq.merge(*(self._terms(i, start, stop) for i in range(len(self.readers))), key=itemgetter(0))
        field = None
        for (fieldname, btext), group in groupby(merged, key=itemgetter(0)):
            add = None  # the postings writer's add, once the term has a posting (of a document kept)
            for _, i, info in group:
                base, renumber = self.bases[i], self.renumber[i]
                data = self.lengths[i].get(fieldname)
                for ids, weights, values in self._postings(i, fieldname, info):
                    if renumber is None:
                        news: Any = [base + doc for doc in ids]
                        rows: Any = range(len(ids))
                    else:
                        rows = [j for j, doc in enumerate(ids) if renumber[doc] >= 0]
                        news = [renumber[ids[j]] for j in rows]
                        if not rows:
                            continue
                    if add is None:
                        if fieldname != field:
                            if field is not None:
                                fw.finish_field()
                            fw.start_field(fieldname, schema[fieldname])
                            field = fieldname
                        fw.start_term(btext)
                        add = _postings_adder(fw._postwriter)
                    if renumber is None:
                        lengths = [table[data[doc]] for doc in ids] if data else [0] * len(ids)
                        add(news, weights, values, lengths)
                    else:
                        lengths = [table[data[ids[j]]] for j in rows] if data else [0] * len(rows)
                        add(news, [weights[j] for j in rows], [values[j] for j in rows], lengths)
            if add is not None:
                fw.finish_term()
        if field is not None:
            fw.finish_field()

    # ---- postings in parts

    def _start_parts(self, writer: Any, helpers: MergeHelpers) -> None:
        """Split the terms into ranges of about equal work and hand each to a helper (none if the merge is small)."""
        sizes = [size for reader in self.readers if (size := _postings_size(reader._terms._tindex)) is not None]
        if helpers.parts < 2 or len(sizes) < len(self.readers) or sum(sizes) < MIN_PARALLEL_MERGE_BYTES:
            return
        split = _split_terms(self.readers[sizes.index(max(sizes))]._terms, helpers.parts)
        bounds = [term for term in split or () if term[0] in self.schema]
        if not bounds or bounds != sorted(set(bounds)):
            return
        self.staging = helpers.staging
        index_dir = str(writer.storage.folder)
        segments = tuple(reader.segment() for reader in self.readers)
        edges: list[Term | None] = [None, *bounds, None]
        tasks: list[PostingsTask] = []
        try:
            for start, stop in zip(edges, edges[1:]):
                tasks.append(
                    PostingsTask(
                        index_dir,
                        helpers.staging.directory(),
                        self.schema,
                        writer.codec,
                        segments,
                        start,
                        stop,
                        writer.indexname,
                    )
                )
        except OSError:  # no room for the parts: all written here
            for task in tasks:
                helpers.staging.discard(task)
            return
        for task in tasks:
            self.parts.append((task.start, task.stop, task, helpers.run(task)))

    def _append_part(self, fw: Any, task: PostingsTask, segment: Any) -> bool:
        """Append a part's postings to the field writer's and list its terms.

        False: the part cannot be read (nothing is written).
        """
        from whoosh.codec import whoosh3
        from whoosh.filedb.filestore import FileStorage
        from whoosh.system import pack_long, pack_ushort, unpack_long

        try:
            storage = FileStorage(task.directory)
            if type(segment.codec()) is not whoosh3.W3Codec:
                return False
            terms = segment.codec().terms_reader(storage, segment)
        except Exception:
            return False
        try:
            path = os.path.join(task.directory, segment.make_filename(whoosh3.W3Codec.POSTS_EXT))
            size = os.path.getsize(path)
            items = [(terms._keydecoder(key), value) for key, value in terms._tindex.items()]
            if any(value[0] for _, value in items):  # an inlined term: no offset to move
                return False
        except Exception:
            return False
        finally:
            terms.close()
        postfile = fw._postfile
        base = postfile.tell()
        with open(path, "rb") as f:
            copied = 0
            while chunk := f.read(1 << 20):
                postfile.write(chunk)
                copied += len(chunk)
        if copied != size:
            raise OSError(f"{path} changed while it was copied")
        at = whoosh3.W3TermInfo._struct.size
        field = None
        for (fieldname, btext), value in items:
            if fieldname != field:
                if field is not None:
                    fw.finish_field()
                fw.start_field(fieldname, self.schema[fieldname])
                field = fieldname
            offset = unpack_long(value[at : at + 8])[0]
            fw._tindex.add(pack_ushort(fw._fieldid) + btext, value[:at] + pack_long(base + offset) + value[at + 8 :])
        if field is not None:
            fw.finish_field()
        return True


def _append_bytes(target: Any, base: int, data: bytes) -> None:
    """``target.add(base + i, b)`` for each byte of ``data`` (a length column: zero is its default)."""
    from whoosh.columns import NumericColumn

    if type(target) is NumericColumn.Writer and target._fixedlen == 1 and target._default == 0:
        body = data.rstrip(b"\x00")
        if body:
            target.fill(base)  # zeros up to here, as add() writes before a value past the end
            target._dbfile.write(body)
            target._count = base + len(body)
        return
    for i, b in enumerate(data):  # pragma: no cover - another column writer
        if b:
            target.add(base + i, b)


def _source_key(terms: Any, fieldname: str, btext: bytes) -> bytes | None:
    """The key, in one segment's term table, of the first of its terms at or after (fieldname, btext); None: none."""
    from whoosh.system import pack_ushort

    number = terms._fieldmap.get(fieldname)
    if number is not None:
        return pack_ushort(number) + btext
    later = [n for name, n in terms._fieldmap.items() if name > fieldname]
    return pack_ushort(min(later)) if later else None


def _nth_term(tindex: Any, n: int) -> tuple[bytes, bytes]:
    """The ``n``-th key and value of an ordered term table."""
    pos = tindex._get_pos(tindex.indexbase + n * tindex.indexsize)
    key, datapos, datalen = tindex.key_and_range_at(pos)
    return key, tindex.dbfile.get(datapos, datalen)


def _postings_offset(value: bytes) -> int | None:
    """Where a W3 term's postings start in the postings file (None: inlined in its term info)."""
    from whoosh.codec import whoosh3
    from whoosh.system import unpack_long

    if value[0]:
        return None
    at = whoosh3.W3TermInfo._struct.size
    return unpack_long(value[at : at + 8])[0]


def _postings_size(tindex: Any) -> int | None:
    """Bytes of postings a segment's term table points to (None: unknown)."""
    from whoosh.codec import whoosh3
    from whoosh.system import unpack_int

    if not tindex.indexlen:
        return 0
    _, value = _nth_term(tindex, tindex.indexlen - 1)
    offset = _postings_offset(value)
    if offset is None:
        return None
    at = whoosh3.W3TermInfo._struct.size + 8
    return offset + unpack_int(value[at : at + 4])[0]


def _split_terms(terms: Any, parts: int) -> list[Term] | None:
    """Terms of a segment that split its postings into ``parts`` runs of about equal work (None: unknown).

    A term's work is counted as its share of the segment's postings plus
    its share of their bytes (merging costs by posting, and more for the
    longer ones of a field with positions).
    """
    from whoosh.codec import whoosh3
    from whoosh.system import unpack_int

    tindex = terms._tindex
    get, unpack, at = tindex.dbfile.get, whoosh3.W3TermInfo._struct.unpack_from, whoosh3.W3TermInfo._struct.size + 8
    sizes: list[tuple[int, int]] = []
    keys: list[tuple[int, int]] = []
    for keypos, keylen, datapos, datalen in tindex._ranges():
        value = get(datapos, datalen)
        if value[0]:  # inlined: no postings of its own
            return None
        sizes.append((unpack(value)[2], unpack_int(value[at : at + 4])[0]))  # documents, bytes
        keys.append((keypos, keylen))
    count, documents, size = len(sizes), sum(d for d, _ in sizes) or 1, sum(b for _, b in sizes) or 1
    bounds: list[Term] = []
    done, k = 0.0, 1
    for (keypos, keylen), (d, b) in zip(keys, sizes):
        if done >= 3 * k / parts and done:
            bounds.append(terms._keydecoder(get(keypos, keylen)))
            k += 1
            if k == parts:
                break
        done += 1 / count + d / documents + b / size
    return bounds


def _postings_adder(pw: Any) -> Callable[[Any, Any, Any, Any], None]:
    """``add(ids, weights, values, lengths)``: ``pw.add_posting`` for each posting, a block's worth at a time.

    For Whoosh's W3 postings writer (exactly), the postings are appended to
    its block buffer a slice at a time, with the statistics ``add_posting``
    keeps (highest weight, shortest and longest length), and a full block
    written when a posting follows it, as ``add_posting`` does; for any other
    writer, ``add_posting`` is called for each.
    """
    from whoosh.codec import whoosh3

    if type(pw) is not whoosh3.W3PostingsWriter or pw._byteids:

        def add_each(ids: Any, weights: Any, values: Any, lengths: Any) -> None:
            for doc, weight, value, length in zip(ids, weights, values, lengths):
                pw.add_posting(doc, weight, b"" if value is None else value, length)

        return add_each
    limit = pw._blocklimit

    def add(ids: Any, weights: Any, values: Any, lengths: Any) -> None:
        start, n = 0, len(ids)
        while start < n:
            if len(pw._ids) >= limit:
                pw._write_block()
            stop = min(n, start + limit - len(pw._ids))
            pw._ids.extend(ids[start:stop])
            part = weights[start:stop]
            pw._weights.extend(part)
            top = max(part)
            if top > pw._maxweight:
                pw._maxweight = top
            pw._values.extend(v for v in values[start:stop] if v)
            given = [length for length in lengths[start:stop] if length]
            if given:
                low, high = min(given), max(given)
                if pw._minlength is None or low < pw._minlength:
                    pw._minlength = low
                if high > pw._maxlength:
                    pw._maxlength = high
            start = stop

    return add
