"""Password rules (密码规则), applied wherever a password is set.

A password is accepted when it
- has 8 to 128 characters (``too_short`` / ``too_long``);
- mixes character classes (lower-case letters, upper-case letters, digits, symbols;
  any other character, e.g. Chinese, counts as a symbol): **3 of the 4 classes, or 2
  classes when it has 12 characters or more** — a long passphrase is as hard to guess as
  a short mixed one, and elders find long simple phrases easier (``too_simple``);
- does not contain the person's mobile number (``contains_phone``) nor the birth date of
  their ID number, as ``YYYYMMDD`` or ``YYMMDD`` (``contains_birth_date``);
- is not one of the commonly used passwords below, ignoring letter case
  (``too_common``);
- on a change, differs from the current one (``unchanged``).

``password_problems`` returns every reason at once as ``{code, zh, en}``, so the person
sees everything to fix in one go. The demo password ``Demo@2026`` passes.
"""
from __future__ import annotations

import datetime as dt

MIN_LENGTH = 8
MAX_LENGTH = 128
LONG_PASSWORD = 12  # from this length, 2 character classes are enough
CLASSES_NEEDED, CLASSES_NEEDED_WHEN_LONG = 3, 2

# lower-cased; a small list of what leaked-password lists put first, Chinese favourites included
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000",
    "88888888", "66666666", "12341234", "11223344", "147258369", "123123123",
    "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword",
    "aa123456", "aa12345678", "aa123456!", "aa123456.", "a1234567", "a12345678",
    "abc12345", "abcd1234", "abc123456", "abc@1234", "abc@123456", "qwerty12", "qwerty123",
    "qwertyuiop", "qwer1234", "1qaz2wsx", "1qaz@wsx", "1q2w3e4r", "1q2w3e4r5t", "zxcvbnm123",
    "asdf1234", "admin123", "admin@123", "admin888", "root1234", "test1234", "iloveyou",
    "woaini1314", "woaini520", "5201314520", "qq123456", "qwe123!@#", "123qwe!@#",
    "p@ssw0rd1", "welcome1", "welcome@123", "changeme", "letmein1",
})


def reason(code: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "zh": zh, "en": en}


def character_classes(password: str) -> int:
    lower = any(c.islower() and c.isascii() for c in password)
    upper = any(c.isupper() and c.isascii() for c in password)
    digit = any(c.isdigit() and c.isascii() for c in password)
    symbol = any(not (c.isascii() and c.isalnum()) for c in password)
    return lower + upper + digit + symbol


def _birth_date_forms(birth_date: dt.date | None) -> tuple[str, ...]:
    if birth_date is None:
        return ()
    full = birth_date.strftime("%Y%m%d")
    return full, full[2:]


def password_problems(password: str, *, phone: str | None = None,
                      birth_date: dt.date | None = None,
                      current_password: str | None = None) -> list[dict[str, str]]:
    """Every rule ``password`` breaks (empty when it is acceptable)."""
    problems: list[dict[str, str]] = []
    length = len(password)
    if length < MIN_LENGTH:
        problems.append(reason("too_short", f"密码至少需要{MIN_LENGTH}位",
                               f"A password needs at least {MIN_LENGTH} characters"))
    if length > MAX_LENGTH:
        problems.append(reason("too_long", f"密码不能超过{MAX_LENGTH}位",
                               f"A password has at most {MAX_LENGTH} characters"))
    needed = CLASSES_NEEDED_WHEN_LONG if length >= LONG_PASSWORD else CLASSES_NEEDED
    if character_classes(password) < needed:
        problems.append(reason(
            "too_simple",
            "密码需包含小写字母、大写字母、数字、符号中的至少三种（12位及以上的密码至少两种）",
            "Use at least three of: lower-case letters, upper-case letters, digits, symbols "
            "(two are enough from 12 characters)"))
    if phone and phone in password:
        problems.append(reason("contains_phone", "密码不能包含手机号码",
                               "The password must not contain the mobile number"))
    if any(form in password for form in _birth_date_forms(birth_date)):
        problems.append(reason("contains_birth_date", "密码不能包含出生日期",
                               "The password must not contain the date of birth"))
    if password.lower() in COMMON_PASSWORDS:
        problems.append(reason("too_common", "这是常见密码，很容易被猜到，请换一个",
                               "This is a commonly used password that is easy to guess"))
    if current_password is not None and password == current_password:
        problems.append(reason("unchanged", "新密码不能与当前密码相同",
                               "The new password must differ from the current one"))
    return problems


# one-time passwords: no look-alikes (0/O/o, 1/l/I) and only symbols a shell and a phone's
# keyboard take as they are, so the printed password can be read out and typed
ONE_TIME_LENGTH = 20
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "@#%+=?!-_"
_CLASSES = (_LOWER, _UPPER, _DIGITS, _SYMBOLS)


def one_time_password(length: int = ONE_TIME_LENGTH, *, phone: str | None = None,
                      birth_date: dt.date | None = None) -> str:
    """A random password (``secrets``) of ``length`` characters holding every character class,
    that the password rules accept for this person (not their phone or birth date)."""
    import secrets

    if length < max(len(_CLASSES), MIN_LENGTH):
        raise ValueError(f"a one-time password has at least {MIN_LENGTH} characters")
    alphabet = "".join(_CLASSES)
    while True:
        chars = [secrets.choice(cls) for cls in _CLASSES]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        if not password_problems(password, phone=phone, birth_date=birth_date):
            return password
