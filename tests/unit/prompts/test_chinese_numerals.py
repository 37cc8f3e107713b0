"""Values written in Chinese words as people say them: zeros said once, 十 for 一十 at the
start, groups of 万 and 亿, money in 元角分, dates in 年月日."""

from __future__ import annotations

import pytest

from hotline.prompts import chinese_numerals as zh

WHOLE = [
    (0, "零"), (7, "七"), (10, "十"), (11, "十一"), (15, "十五"), (19, "十九"), (20, "二十"),
    (101, "一百零一"), (110, "一百一十"), (115, "一百一十五"), (1001, "一千零一"),
    (1010, "一千零一十"), (1100, "一千一百"), (1203, "一千二百零三"), (9999, "九千九百九十九"),
    (10_000, "一万"), (10_001, "一万零一"), (10_010, "一万零一十"), (10_100, "一万零一百"),
    (11_000, "一万一千"), (100_000, "十万"), (100_010, "十万零一十"), (150_000, "十五万"),
    (1_000_000, "一百万"), (1_001_000, "一百万一千"), (1_000_100, "一百万零一百"),
    (20_030_004, "二千零三万零四"), (100_000_000, "一亿"), (100_000_001, "一亿零一"),
    (100_001_000, "一亿零一千"), (100_100_000, "一亿零一十万"), (110_000_001, "一亿一千万零一"),
    (1_000_000_000_000, "一万亿"), (-12, "负十二"),
]


@pytest.mark.parametrize(("number", "words"), WHOLE, ids=[str(n) for n, _ in WHOLE])
def test_whole_numbers(number: int, words: str) -> None:
    assert zh.whole_number(number) == words


@pytest.mark.parametrize(("value", "words"), [
    ("1203.5", "一千二百零三点五"), ("0.05", "零点零五"), ("-3.14", "负三点一四"),
    ("10.01", "十点零一"), ("1,000", "一千"), ("  42 ", "四十二"), ("1e4", "一万"),
])
def test_numbers_with_decimals_say_each_decimal_digit(value: str, words: str) -> None:
    assert zh.number(value) == words


@pytest.mark.parametrize(("value", "words"), [
    ("1203.50", "一千二百零三元五角"), ("12.05", "十二元零五分"), ("12.35", "十二元三角五分"),
    ("12", "十二元整"), ("0.3", "三角"), ("0.05", "五分"), ("0", "零元整"),
    ("100000.10", "十万元一角"), ("-5.5", "负五元五角"), ("10.005", "十元整"),
])
def test_amounts_in_yuan_jiao_and_fen(value: str, words: str) -> None:
    assert zh.amount(value) == words


def test_digits_one_by_one() -> None:
    assert zh.digits("1009-27 *#") == "一零零九二七星号井号"


@pytest.mark.parametrize(("value", "words"), [
    ("20240305", "二零二四年三月五日"), ("2000-10-31", "二零零零年十月三十一日"),
    ("19991112", "一九九九年十一月十二日"),
])
def test_dates(value: str, words: str) -> None:
    assert zh.date(value) == words


@pytest.mark.parametrize(("value", "words"), [
    ("140500", "十四点零五分"), ("090000", "九点整"), ("23:59", "二十三点五十九分"),
    ("001000", "零点十分"),
])
def test_times_on_the_24_hour_clock(value: str, words: str) -> None:
    assert zh.time(value) == words


@pytest.mark.parametrize(("say", "value", "message"), [
    (zh.number, "abc", "not a number"),
    (zh.number, "nan", "not a finite number"),
    (zh.number, "1e20", "too many digits"),
    (zh.number, "0.0000000000001", "too many digits"),
    (zh.digits, "12a", "not a string of digits"),
    (zh.digits, "", "no digits"),
    (zh.date, "20240230", "not a date"),
    (zh.date, "2024035", "not a date"),
    (zh.time, "246000", "not a time of day"),
    (zh.time, "noon", "not a time"),
])
def test_a_value_not_of_its_format_is_refused_naming_it(say: object, value: str,
                                                        message: str) -> None:
    assert callable(say)
    with pytest.raises(ValueError, match=message):
        say(value)
