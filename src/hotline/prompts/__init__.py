"""Prompts (V8): what the IVR's `Play` actions sound like.

A tenant's catalogue holds, per language, uploaded recordings (converted on upload to
telephony audio: 8 kHz mono 16-bit PCM WAV) and texts spoken by espeak-ng; say-number says
numbers, digits, amounts, dates and times from Asterisk's English core sounds, or as Chinese
words spoken by espeak-ng. One idea per module:

- `audio`: reading, checking and converting WAV files; telephony samples.
- `speech`: text-to-speech with espeak-ng and its disk cache.
- `sounds`: Asterisk's core sound files.
- `segments`: the pieces say-number builds a value from (a sound file, a text to speak).
- `number_values`: reading numbers, amounts, dates and times from text.
- `english_numbers`, `chinese_numerals`: a value in English sounds, in Chinese words.
- `say_number`: a value in the caller's language.
- `catalogue`: a tenant's catalogue in memory, loaded from the database.
- `renderer`: a Play's prompt references turned into audio.
- `estimate`: a Play's length without rendering it, for the simulator.

The database table is `hotline.store.prompt_tables`, the API `hotline.api.prompts`.
"""
