"""Numbers, digits, money, dates and times written in Chinese words, for espeak-ng to speak.

espeak-ng's Mandarin voice reads Chinese characters well but Arabic digits poorly, so Hotline
writes a value out as a person would say it, then speaks the words:

- numbers by groups of four digits (个, 万, 亿, 万亿): 1203.5 → 一千二百零三点五,
  100010 → 十万零一十; a zero inside a number is said once as 零, zeros at the end not at
  all; a number that starts with 一十 drops the 一 (十五, 十万), as people say it;
- digits one by one (account and phone numbers): 1009 → 一零零九;
- money in 元, 角 and 分 (1203.50 → 一千二百零三元五角, 12.00 → 十二元整);
- dates (YYYYMMDD or YYYY-MM-DD) as 年月日 with the year digit by digit: 二零二四年三月五日;
- times (hhmmss or hh:mm[:ss]) on the 24-hour clock: 十四点零五分, 九点整.

Every function takes the value as text (what the IVR's variables hold) and raises
`ValueError` naming the value when it is not of the expected form.
"""

from __future__ import annotations

from hotline.prompts.number_values import split_amount, split_date, split_number, split_time

DIGITS = "零一二三四五六七八九"
GROUP_UNITS = ("", "万", "亿", "万亿")
"""Units of each group of four digits, from the right."""

PLACE_UNITS = ("", "十", "百", "千")
"""Units of the places within a group, from the right."""

MAX_NUMBER = 10**16 - 1
"""The largest whole number said (9999 万亿); a longer one is a `ValueError`."""


def whole_number(number: int) -> str:
    """A whole number in Chinese words: 10 → 十, 1001 → 一千零一, 100000000 → 一亿."""
    if number < 0:
        return "负" + whole_number(-number)
    if number > MAX_NUMBER:
        raise ValueError(f"{number} is too large to say as a number (at most {MAX_NUMBER})")
    if number == 0:
        return DIGITS[0]
    groups = []
    rest = number
    while rest:
        rest, group = divmod(rest, 10_000)
        groups.append(group)
    words = ""
    gap = False  # a group of zeros since the last word: owed as 零 before the next one
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(words)
            continue
        if words and (gap or group < 1000):
            words += DIGITS[0]
        words += _group(group) + GROUP_UNITS[index]
        gap = False
    if words.startswith("一十"):
        words = words[1:]
    return words


def _group(group: int) -> str:
    """One group of four digits (1..9999), without its group unit: 1010 → 一千零一十."""
    words = ""
    zero = False
    for place in range(3, -1, -1):
        digit = group // 10**place % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += DIGITS[0]
            zero = False
        words += DIGITS[digit] + PLACE_UNITS[place]
    return words


def number(value: str) -> str:
    """A number, whole or with decimals: "1203.5" → 一千二百零三点五, "-0.05" → 负零点零五."""
    negative, whole, fraction = split_number(value)
    words = ("负" if negative else "") + whole_number(whole)
    return words + ("点" + digits(fraction) if fraction else "")


def digits(value: str) -> str:
    """Each digit of `value` in turn ("1009" → 一零零九); spaces and dashes are skipped,
    * and # are said as 星号 and 井号."""
    said = []
    for char in value:
        if char.isdigit() and char.isascii():
            said.append(DIGITS[int(char)])
        elif char == "*":
            said.append("星号")
        elif char == "#":
            said.append("井号")
        elif char not in " -":
            raise ValueError(f"{value!r} is not a string of digits")
    if not said:
        raise ValueError(f"{value!r} has no digits to say")
    return "".join(said)


def amount(value: str) -> str:
    """Money in 元, 角 and 分, rounded to the 分: "1203.50" → 一千二百零三元五角,
    "12.05" → 十二元零五分, "12" → 十二元整, "0.3" → 三角."""
    negative, yuan, rest = split_amount(value)
    sign = "负" if negative else ""
    jiao, fen = divmod(rest, 10)
    words = whole_number(yuan) + "元" if yuan or not rest else ""
    if not rest:
        return sign + words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += DIGITS[0]
    if fen:
        words += DIGITS[fen] + "分"
    return sign + words


def date(value: str) -> str:
    """A date, YYYYMMDD or YYYY-MM-DD: "20240305" → 二零二四年三月五日."""
    year, month, day = split_date(value)
    return f"{digits(f'{year:04d}')}年{whole_number(month)}月{whole_number(day)}日"


def time(value: str) -> str:
    """A time of day, hhmmss or hh:mm[:ss], as hours and minutes: "140500" → 十四点零五分,
    "090000" → 九点整."""
    hour, minute = split_time(value)
    if minute == 0:
        return f"{whole_number(hour)}点整"
    return f"{whole_number(hour)}点{'零' if minute < 10 else ''}{whole_number(minute)}分"
