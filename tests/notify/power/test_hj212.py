"""HJ 212-2017 packets: published examples, every refusal, the TCP splitter, and fuzzing.

Pure functions: no app, no database. No test reads the clock; every time a builder needs is
passed in, so nothing has to be frozen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify.power import hj212
from notify.power.hj212 import SHANGHAI, PacketError, QnRtn

# HJ 212-2017 §6.3, the standard's example of a whole packet (CN 1062, set the real-time data
# interval); quoted with the same CRC in jinuxx/hj212 src/test/java/com/hj212/T212MapperTest.java.
STANDARD_1062 = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)
# The real-time upload of HJ 212-2017 Appendix C (its QN, MN and values; Flag=7, a trailing ";"
# before "&&"), framed with a lower-case CRC in jinuxx/hj212 src/test/java/com/hj212/
# T212MapperTest.java, which also gives the 9014 answer to it, ANSWER_9014.
APPENDIX_C_2011 = (
    b"##0453QN=20160801085000001;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=7;"
    b"CP=&&DataTime=20160801084000;a21005-Rtd=1.1,a21005-Flag=N;a21004-Rtd=112,a21004-Flag=N;"
    b"a21026-Rtd=58,a21026-Flag=N;LA-td=50.1,LA-Flag=N;a34004-Rtd=207,a34004-Flag=N;"
    b"a34002-Rtd=295,a34002-Flag=N;a01001-Rtd=12.6,a01001-Flag=N;a01002-Rtd=32,a01002-Flag=N;"
    b"a01006-Rtd=101.02,a01006-Flag=N;a01007-Rtd=2.1,a01007-Flag=N;a01008-Rtd=120,a01008-Flag=N;"
    b"a34001-Rtd=217,a34001-Flag=N;&&c0c1\r\n"
)
ANSWER_9014 = (
    b"##0087QN=20160801085000001;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&C241\r\n"
)
# An HJ/T 212-2005 upload, without QN or Flag and with milliseconds in DataTime:
# xiaoyao9184/hj-t212-parser hj-t212-parser/src/test/java/com/xy/format/hbt212/core/T212MapperTest.java
OLD_2011 = (
    b"##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
    b"B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n"
)
PUBLISHED = [STANDARD_1062, APPENDIX_C_2011, ANSWER_9014, OLD_2011]
CODES = {"framing", "length", "too_long", "crc", "encoding", "field"}
SENT = datetime(2026, 11, 23, 15, 0, 5, 250000, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _clean_database():
    """Pure functions: no app and no database (overrides the conftest's)."""
    yield


def framed(segment: bytes) -> bytes:
    """Any bytes as a packet with a right length and CRC, so that parsing reaches the fields."""
    return b"##%04d%s%04X\r\n" % (len(segment), segment, hj212.crc16(segment))


def modbus_crc(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@pytest.mark.parametrize("packet", PUBLISHED)
def test_the_crc_is_the_published_one_and_not_modbus(packet):
    segment, published = packet[6:-6], int(packet[-6:-2], 16)
    assert hj212.crc16(segment) == published
    assert modbus_crc(segment) != published  # the look-alike many implementations use by mistake
    assert hj212.frame(segment.decode()) == packet.replace(b"c0c1", b"C0C1")


def test_the_standards_example_reads_field_by_field():
    packet = hj212.parse(STANDARD_1062)
    assert (packet.qn, packet.st, packet.cn, packet.pw) == ("20160801085857223", "32", "1062", "100000")
    assert packet.mn == "010000A8900016F000169DC0" and packet.flag == 5
    assert packet.wants_answer and not packet.is_split and packet.version == hj212.VERSION_2017
    assert packet.sent_at == datetime(2016, 8, 1, 8, 58, 57, 223000, tzinfo=SHANGHAI)
    assert packet.cp == hj212.CommandParams(values={"RtdInterval": "30"})


def test_the_appendix_upload_gives_each_monitored_item_its_values():
    packet = hj212.parse(APPENDIX_C_2011)
    assert packet.cn == hj212.CN_REALTIME and packet.wants_answer and packet.is_split
    assert packet.pnum is None and packet.pno is None  # Flag=7 without them, as published
    assert packet.cp.data_time == datetime(2016, 8, 1, 8, 40, tzinfo=SHANGHAI)
    assert len(packet.cp.readings) == 12 and packet.cp.values == {}
    assert packet.cp.readings["a21005"] == {"Rtd": "1.1", "Flag": "N"}
    assert packet.cp.readings["a01006"] == {"Rtd": "101.02", "Flag": "N"}
    assert packet.cp.readings["LA"] == {"td": "50.1", "Flag": "N"}


def test_an_hj212_2005_upload_has_no_qn_and_asks_no_answer():
    packet = hj212.parse(OLD_2011)
    assert packet.qn is None and packet.sent_at is None
    assert packet.flag == 0 and packet.version == hj212.VERSION_2005 and not packet.wants_answer
    assert packet.cp.data_time == datetime(2016, 8, 24, 0, 38, 17, tzinfo=SHANGHAI)
    assert packet.cp.readings == {
        "B01": {"Rtd": "36.91"},
        "011": {"Rtd": "231.0", "Flag": "N"},
        "060": {"Rtd": "1.803", "Flag": "N"},
    }


def test_the_data_answer_is_byte_for_byte_the_published_one():
    assert hj212.data_answer(hj212.parse(APPENDIX_C_2011)) == ANSWER_9014


def test_the_request_answer_echoes_qn_and_says_ready_or_why_not():
    request = hj212.parse(STANDARD_1062)
    # The layout of the standard's 9011 example: the request's QN, PW and MN, ST=91, Flag=4.
    assert hj212.request_answer(request) == hj212.frame(
        "QN=20160801085857223;ST=91;CN=9011;PW=100000;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&"
    )
    refusal = hj212.parse(hj212.request_answer(request, QnRtn.BAD_PW))
    assert (refusal.qn, refusal.cn, refusal.cp.values) == (request.qn, "9011", {"QnRtn": "3"})


def test_an_answer_to_a_request_without_qn_takes_the_given_time_as_its_own():
    request = hj212.parse(OLD_2011)
    answer = hj212.parse(hj212.data_answer(request, now=datetime(2026, 11, 23, 7, 0, tzinfo=UTC)))
    assert answer.qn == "20261123150000000"  # 07:00 UTC is 15:00 in China
    assert (answer.st, answer.cn, answer.mn, answer.flag) == ("91", "9014", "LD130133000015", 0)
    assert hj212.parse(hj212.data_answer(request)).qn is None


def test_an_upload_reads_back_as_it_was_written():
    packet = hj212.upload(
        mn="YX0001",
        pw="123456",
        sent_at=SENT,
        data_time=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
        readings={
            "SC01": {"Ia": 12.5, "Ua": 220, "P": Decimal("8.125"), "Ep": 0.1, "Flag": "N"},
            "ZL-01": {"Ia": 1e20},
            "idle": {},
        },
    )
    parsed = hj212.parse(packet)
    assert (parsed.qn, parsed.st, parsed.cn, parsed.mn, parsed.flag) == (
        "20261123150005250",
        "31",
        "2011",
        "YX0001",
        5,
    )
    assert parsed.sent_at == SENT and parsed.cp.data_time == datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)
    assert parsed.cp.readings == {
        "SC01": {"Ia": "12.5", "Ua": "220", "P": "8.125", "Ep": "0.1", "Flag": "N"},
        "ZL-01": {"Ia": "100000000000000000000"},
    }
    assert set(hj212.METER_FIELDS.values()) <= set(parsed.cp.readings["SC01"])


def test_login_and_heartbeat_are_system_commands_that_ask_for_an_answer():
    for build, cn in ((hj212.login, hj212.CN_LOGIN), (hj212.heartbeat, hj212.CN_HEARTBEAT)):
        packet = hj212.parse(build(mn="YX0001", pw="123456", sent_at=SENT))
        assert (packet.st, packet.cn, packet.flag, packet.cp) == ("91", cn, 5, hj212.CommandParams())
        quiet = hj212.parse(build(mn="YX0001", pw="123456", sent_at=SENT, wants_answer=False))
        assert not quiet.wants_answer


@pytest.mark.parametrize(
    "change",
    [
        {"readings": {"SC01": {"Ia": "1;2"}}},
        {"readings": {"SC01": {"Ia": "1,2"}}},
        {"readings": {"SC 01": {"Ia": "1"}}},
        {"readings": {"SC01": {"I-a": "1"}}},
        {"mn": "YX;0001"},
        {"mn": "Y" * 25},
        {"pw": "1234567890"},
        {"st": "3a"},
        {"sent_at": datetime(2026, 11, 23, 15, 0)},
    ],
)
def test_an_upload_that_could_not_be_read_back_is_refused(change):
    fields = {"mn": "YX0001", "pw": "123456", "sent_at": SENT, "data_time": SENT, "readings": {}}
    with pytest.raises(ValueError):
        hj212.upload(**(fields | change))


SEGMENT_1062 = STANDARD_1062[6:-6]


@pytest.mark.parametrize(
    ("packet", "code", "field"),
    [
        (b"", "framing", None),
        (STANDARD_1062[:-2], "framing", None),
        (STANDARD_1062[:-2] + b"\n\n", "framing", None),
        (b"#*" + STANDARD_1062[2:], "framing", None),
        ("##0101…" * 3, "framing", None),
        (b"##01a1" + STANDARD_1062[6:], "length", None),
        (b"## 101" + STANDARD_1062[6:], "length", None),
        (b"##0100" + STANDARD_1062[6:], "length", None),
        (b"##0102" + STANDARD_1062[6:], "length", None),
        (b"##1025" + SEGMENT_1062 + b"1C80\r\n", "too_long", None),
        (STANDARD_1062.replace(b"1C80", b"1C81"), "crc", None),
        (STANDARD_1062.replace(b"1C80", b"1C8G"), "crc", None),
        (STANDARD_1062.replace(b"1C80", b"+C80"), "crc", None),
        (framed(SEGMENT_1062.replace(b"MN=0", b"MN=\xff\xfe")), "encoding", None),
        (framed(SEGMENT_1062.replace(b"MN=0", b"MN=\x000")), "encoding", None),
        (framed(SEGMENT_1062.replace(b";CP=&&", b";CP=&")), "field", "CP"),
        (framed(SEGMENT_1062.replace(b";CP=", b"CP=")), "field", "CP"),
        (framed(SEGMENT_1062.replace(b"30&&", b"30&&&&")), "field", "CP"),
        (framed(SEGMENT_1062.replace(b"RtdInterval=30", b"RtdInterval")), "field", "CP"),
        (framed(SEGMENT_1062.replace(b"RtdInterval=30", b"R=1;R=2")), "field", "CP"),
        (framed(SEGMENT_1062.replace(b"RtdInterval=30", b"-Rtd=1")), "field", "CP"),
        (framed(SEGMENT_1062.replace(b"RtdInterval=30", b"DataTime=20161301000000")), "field", "DataTime"),
        (framed(SEGMENT_1062.replace(b"QN=20160801085857223", b"QN=2016080108585722")), "field", "QN"),
        (framed(SEGMENT_1062.replace(b"QN=20160801085857223", b"QN=20160231085857223")), "field", "QN"),
        (framed(SEGMENT_1062.replace(b"ST=32", b"ST=3X")), "field", "ST"),
        (framed(SEGMENT_1062.replace(b"CN=1062;", b"")), "field", "CN"),
        (framed(SEGMENT_1062.replace(b"PW=100000", b"PW=1000000000")), "field", "PW"),
        (framed(SEGMENT_1062.replace(b"MN=0", b"MN=" + b"0" * 24)), "field", "MN"),
        (framed(SEGMENT_1062.replace(b"MN=0", b"MN= ")), "field", "MN"),
        (framed(SEGMENT_1062.replace(b"Flag=5", b"Flag=256")), "field", "Flag"),
        (framed(SEGMENT_1062.replace(b"Flag=5", b"Flag=5;PNUM=x")), "field", "PNUM"),
        (framed(SEGMENT_1062.replace(b"ST=32", b"ST=32;ST=91")), "field", "ST"),
        (framed(SEGMENT_1062.replace(b"ST=32;", b"ST=32;;")), "field", None),
    ],
)
def test_each_malformed_packet_is_refused_with_its_code(packet, code, field):
    with pytest.raises(PacketError) as refused:
        hj212.parse(packet)
    assert (refused.value.code, refused.value.field) == (code, field)


@pytest.mark.parametrize(
    ("error", "qn_rtn"),
    [
        (PacketError("crc", "bad"), QnRtn.BAD_CRC),
        (PacketError("field", "bad", "MN"), QnRtn.BAD_MN),
        (PacketError("field", "bad", "QN"), QnRtn.BAD_QN),
        (PacketError("field", "bad", "CP"), QnRtn.UNKNOWN),
        (PacketError("length", "bad"), QnRtn.UNKNOWN),
    ],
)
def test_a_refusal_maps_to_the_standards_answer_code(error, qn_rtn):
    assert error.qn_rtn == qn_rtn


def segment_of(size: int) -> str:
    head = "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=YX0001;Flag=4;CP=&&SC01-Ep="
    return head + "9" * (size - len(head) - 2) + "&&"


def test_a_data_segment_of_1024_bytes_is_a_packet_and_1025_is_too_long():
    packet = hj212.frame(segment_of(1024))
    assert len(packet) == hj212.MAX_PACKET and packet.startswith(b"##1024")
    assert hj212.parse(packet).cp.readings["SC01"]["Ep"] == "9" * (1024 - len(segment_of(0)))
    with pytest.raises(PacketError) as built:
        hj212.frame(segment_of(1025))
    with pytest.raises(PacketError) as parsed:
        hj212.parse(framed(segment_of(1025).encode()))
    assert built.value.code == parsed.value.code == "too_long"


def test_the_length_counts_gbk_bytes_of_chinese_text():
    packet = hj212.frame(
        "QN=20160801085857223;ST=32;CN=3020;PW=123456;MN=YX0001;Flag=4;CP=&&SC01-Info=停产&&"
    )
    assert packet[2:6] == b"0083" and "停产".encode("gbk") in packet  # 81 characters, 83 bytes
    assert hj212.parse(packet).cp.readings["SC01"]["Info"] == "停产"
    with pytest.raises(PacketError) as refused:
        hj212.frame("CP=&&SC01-Info=\U0001f50c&&")
    assert refused.value.code == "encoding"


def test_the_splitter_finds_packets_across_reads_and_garbage():
    splitter = hj212.Splitter()
    stream = b"\x00noise#" + STANDARD_1062 + b"\r\n###" + APPENDIX_C_2011 + b"junk" + ANSWER_9014 + b"##01"
    found = [item for i in range(len(stream)) for item in splitter.feed(stream[i : i + 1])]
    assert found == [STANDARD_1062, APPENDIX_C_2011, ANSWER_9014]
    assert splitter.pending == 4  # "##01" may yet become a packet


def test_the_splitter_reports_a_bad_length_and_resumes_at_the_next_packet():
    found = hj212.Splitter().feed(
        b"##01x1QN=1;" + STANDARD_1062 + b"##9999" + STANDARD_1062 + b"##0100" + STANDARD_1062[6:] + OLD_2011
    )
    assert [item.code if isinstance(item, PacketError) else item for item in found] == [
        "length",
        STANDARD_1062,
        "too_long",
        STANDARD_1062,
        "length",  # the length says 100 bytes, CRLF comes one later
        OLD_2011,
    ]


def test_the_splitter_drops_garbage_as_it_comes():
    splitter = hj212.Splitter()
    assert splitter.feed(b"x" * 1_000_000 + b"#") == []
    assert splitter.pending == 1
    assert splitter.feed(STANDARD_1062[1:]) == [STANDARD_1062]
    assert splitter.pending == 0


packets = st.sampled_from(PUBLISHED)
garbage = st.binary(max_size=20).filter(lambda b: b"##" not in b and not b.endswith(b"#"))
streams = st.lists(st.tuples(garbage, packets), max_size=6)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts})
    return [data[i:j] for i, j in zip([0, *points], [*points, len(data)], strict=True)]


@settings(max_examples=300, deadline=None)
@given(streams, st.lists(st.integers(min_value=0, max_value=3000), max_size=20))
def test_any_split_of_a_stream_gives_its_packets(stream, cuts):
    data = b"".join(noise + packet for noise, packet in stream)
    splitter = hj212.Splitter()
    found = [item for chunk in chunked(data, cuts) for item in splitter.feed(chunk)]
    assert found == [packet for _, packet in stream]


protocolish = st.lists(
    st.sampled_from([b"##", b"#", b"\r\n", b"0101", b"1024", b"9999", b"0", b"QN=", b"&&"])
    | st.binary(max_size=8),
    max_size=40,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=3000), protocolish), st.lists(st.integers(0, 3000), max_size=20))
def test_the_splitter_never_raises_and_does_not_depend_on_chunking(data, cuts):
    whole = hj212.Splitter().feed(data)
    splitter = hj212.Splitter()
    pieces = []
    for chunk in chunked(data, cuts):
        pieces += splitter.feed(chunk)
        assert splitter.pending < hj212.MAX_PACKET
    assert [repr(item) for item in pieces] == [repr(item) for item in whole]
    for item in whole:
        if isinstance(item, PacketError):
            assert item.code in {"length", "too_long"}
        else:
            assert item.startswith(b"##") and item.endswith(b"\r\n") and len(item) <= hj212.MAX_PACKET


def parses_or_refuses(packet: bytes) -> None:
    try:
        parsed = hj212.parse(packet)
    except PacketError as refused:
        assert refused.code in CODES
    else:
        assert isinstance(parsed, hj212.Packet)


segment_text = st.text(
    st.sampled_from(list("QNSTCPWMFlagDtRd=;,&-#01239aZ\r\n")) | st.characters(codec="utf-8"), max_size=300
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1100))
def test_random_bytes_parse_or_are_refused(data):
    parses_or_refuses(data)
    parses_or_refuses(framed(data[:1100]))


@settings(max_examples=300, deadline=None)
@given(segment_text)
def test_random_segments_parse_or_are_refused(text):
    parses_or_refuses(framed(text.encode("gbk", errors="ignore")))
    parses_or_refuses(framed(SEGMENT_1062.replace(b"RtdInterval=30", text.encode("utf-8"))))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{17}", fullmatch=True), st.from_regex(r"[0-9]{14}", fullmatch=True))
def test_any_digits_as_qn_or_data_time_parse_or_are_refused(qn, data_time):
    segment = SEGMENT_1062.replace(b"20160801085857223", qn.encode())
    parses_or_refuses(framed(segment.replace(b"RtdInterval=30", b"DataTime=" + data_time.encode())))


# Protocol bytes are drawn often: a digit for a digit makes a 31st of February, not a CRC error.
mutation = st.tuples(
    st.sampled_from(["replace", "insert", "delete"]),
    st.integers(0, 500),
    st.sampled_from(list(b"0123456789;,=&-#")) | st.integers(0, 255),
)


@settings(max_examples=300, deadline=None)
@given(packets, st.lists(mutation, min_size=1, max_size=5))
def test_mutated_packets_parse_or_are_refused(packet, mutations):
    segment, whole = bytearray(packet[6:-6]), bytearray(packet)
    for how, at, byte in mutations:
        for data in (segment, whole):
            if how == "insert":
                data.insert(at % (len(data) + 1), byte)
            elif data and how == "delete":
                del data[at % len(data)]
            elif data:
                data[at % len(data)] = byte
    parses_or_refuses(framed(bytes(segment)))  # the CRC is right, so the fields are what is tested
    parses_or_refuses(bytes(whole))


meter_ids = st.from_regex(r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,8}", fullmatch=True).filter(
    lambda s: not s.endswith("-")
)
values = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1e6, max_value=1e6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-(10**9), 10**9),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        meter_ids, st.dictionaries(st.sampled_from(sorted(hj212.METER_FIELDS.values())), values), max_size=3
    )
)
def test_any_meter_readings_survive_upload_and_parse(readings):
    parsed = hj212.parse(
        hj212.upload(mn="YX0001", pw="123456", sent_at=SENT, data_time=SENT, readings=readings)
    )
    assert {
        meter: {name: Decimal(text) for name, text in fields.items()}
        for meter, fields in parsed.cp.readings.items()
    } == {
        meter: {
            name: Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            for name, value in fields.items()
        }
        for meter, fields in readings.items()
        if fields
    }
