"""Finnish, Swedish and English for everything a person reads.

Messages are keyed by a stable code; `translate` picks the language, `all_languages` gives the
three together (API errors carry all three so any client can show its user's language).
"""

from __future__ import annotations

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

MESSAGES: dict[str, dict[str, str]] = {
    "not_authenticated": {
        "fi": "Kirjaudu sisään.",
        "sv": "Logga in.",
        "en": "Please sign in.",
    },
    "invalid_token": {
        "fi": "Kirjautuminen ei kelpaa tai on vanhentunut: {reason}",
        "sv": "Inloggningen är ogiltig eller har gått ut: {reason}",
        "en": "The sign-in is invalid or has expired: {reason}",
    },
    "forbidden_role": {
        "fi": "Tämä toiminto vaatii roolin: {roles}.",
        "sv": "Den här åtgärden kräver rollen: {roles}.",
        "en": "This action needs the role: {roles}.",
    },
    "case_not_found": {
        "fi": "Asiakkuutta ei löydy.",
        "sv": "Ärendet hittades inte.",
        "en": "Case not found.",
    },
    "not_found": {
        "fi": "Ei löydy.",
        "sv": "Hittades inte.",
        "en": "Not found.",
    },
    "invalid_request": {
        "fi": "Pyynnössä on virheellisiä kenttiä: {fields}",
        "sv": "Begäran har felaktiga fält: {fields}",
        "en": "The request has invalid fields: {fields}",
    },
    "municipality_not_allowed": {
        "fi": "Sinulla ei ole oikeutta kunnan {code} tietoihin.",
        "sv": "Du har inte behörighet till kommunens {code} uppgifter.",
        "en": "You have no access to municipality {code}.",
    },
    "dependency_down": {
        "fi": "Palvelu ei ole valmis: {parts} ei vastaa.",
        "sv": "Tjänsten är inte redo: {parts} svarar inte.",
        "en": "Not ready: {parts} not reachable.",
    },
    "internal_error": {
        "fi": "Odottamaton virhe. Mitään ei menetetty; yritä uudelleen.",
        "sv": "Oväntat fel. Inget gick förlorat; försök igen.",
        "en": "Unexpected error. Nothing was lost; please try again.",
    },
    # --- recruitment notices (employers and the destination municipality's staff) ---
    "api_key_missing": {
        "fi": "API-avain puuttuu: lähetä se X-API-Key-otsakkeessa.",
        "sv": "API-nyckeln saknas: skicka den i huvudet X-API-Key.",
        "en": "The API key is missing: send it in the X-API-Key header.",
    },
    "api_key_invalid": {
        "fi": "API-avain ei kelpaa tai se on peruttu.",
        "sv": "API-nyckeln är ogiltig eller har återkallats.",
        "en": "The API key is invalid or has been revoked.",
    },
    "notice_not_found": {
        "fi": "Rekrytointi-ilmoitusta ei löydy.",
        "sv": "Rekryteringsanmälan hittades inte.",
        "en": "Recruitment notice not found.",
    },
    "idempotency_key_reused": {
        "fi": "Idempotency-Key on jo käytetty toisella sisällöllä. Käytä uudelle ilmoitukselle uutta avainta.",
        "sv": "Idempotency-Key har redan använts med ett annat innehåll. Använd en ny nyckel för en ny anmälan.",
        "en": "The Idempotency-Key was already used with a different body. Use a new key for a new notice.",
    },
    "notice_already_acknowledged": {
        "fi": "Ilmoitus on jo kuitattu nähdyksi.",
        "sv": "Anmälan är redan kvitterad som sedd.",
        "en": "The notice has already been acknowledged.",
    },
    "notice_already_arrived": {
        "fi": "Ilmoitusta ei voi enää muuttaa: rekrytoitu henkilö on jo saapunut.",
        "sv": "Anmälan kan inte längre ändras: den rekryterade har redan anlänt.",
        "en": "The notice can no longer be changed: the recruit has already arrived.",
    },
    "notice_already_expired": {
        "fi": "Ilmoitusta ei voi enää muuttaa: se vanheni, koska saapumista ei kirjattu määräajassa.",
        "sv": "Anmälan kan inte längre ändras: den har gått ut eftersom ingen ankomst registrerades i tid.",
        "en": "The notice can no longer be changed: it expired because no arrival was recorded in time.",
    },
    "notice_already_withdrawn": {
        "fi": "Ilmoitusta ei voi enää muuttaa: työnantaja on perunut sen.",
        "sv": "Anmälan kan inte längre ändras: arbetsgivaren har återkallat den.",
        "en": "The notice can no longer be changed: the employer has withdrawn it.",
    },
    "review_not_found": {
        "fi": "Tarkistettavaa osumaa ei löydy.",
        "sv": "Matchningen som ska granskas hittades inte.",
        "en": "Match review not found.",
    },
    "review_already_resolved": {
        "fi": "Osuma on jo ratkaistu.",
        "sv": "Matchningen är redan avgjord.",
        "en": "The match review has already been resolved.",
    },
    "review_notice_not_open": {
        "fi": "Ilmoitusta ei voi enää yhdistää: se on jo saapunut, vanhentunut tai peruttu.",
        "sv": "Anmälan kan inte längre kopplas: den har redan anlänt, gått ut eller återkallats.",
        "en": "The notice can no longer be matched: it has already arrived, expired or been withdrawn.",
    },
    "review_client_already_matched": {
        "fi": "Asiakas on jo yhdistetty toiseen rekrytointi-ilmoitukseen.",
        "sv": "Klienten är redan kopplad till en annan rekryteringsanmälan.",
        "en": "The client is already matched to another recruitment notice.",
    },
    # --- the initial assessment: refused staff commands (409 state, 422 content) ---
    "assessment_closed": {
        "fi": "Alkukartoitus on päättynyt: asiakkuus on suljettu.",
        "sv": "Den inledande kartläggningen har avslutats: ärendet är stängt.",
        "en": "The assessment has ended: the case is closed.",
    },
    "command_body_missing": {
        "fi": "Komennosta puuttuu sen sisältö ({command}).",
        "sv": "Kommandot saknar sitt innehåll ({command}).",
        "en": "The command has no body ({command}).",
    },
    "assessment_already_started": {
        "fi": "Alkukartoitus on jo aloitettu.",
        "sv": "Den inledande kartläggningen har redan inletts.",
        "en": "The assessment has already started.",
    },
    "assessment_already_completed": {
        "fi": "Alkukartoitus on jo valmis. Valmista kartoitusta ei muuteta, vaan siihen kirjataan korjaus.",
        "sv": "Den inledande kartläggningen är redan klar. En klar kartläggning ändras inte; registrera en rättelse.",
        "en": "The assessment is already completed. A completed assessment is not edited: record a correction.",
    },
    "assessment_not_started": {
        "fi": "Alkukartoitusta ei ole vielä aloitettu.",
        "sv": "Den inledande kartläggningen har inte inletts ännu.",
        "en": "The assessment has not started yet.",
    },
    "assessment_not_completed": {
        "fi": "Korjauksen voi kirjata vain valmiiseen alkukartoitukseen; kirjaa keskeneräiseen kartoitukseen tiedot suoraan.",
        "sv": "En rättelse kan bara registreras för en klar kartläggning; registrera uppgifterna direkt i en pågående.",
        "en": "Only a completed assessment takes corrections; record the interview of one in progress instead.",
    },
    "assessment_date_in_past": {
        "fi": "Päivämäärä {on} on menneisyydessä.",
        "sv": "Datumet {on} har redan varit.",
        "en": "The date {on} is in the past.",
    },
    "assessment_date_in_future": {
        "fi": "Päivämäärä {on} on tulevaisuudessa.",
        "sv": "Datumet {on} ligger i framtiden.",
        "en": "The date {on} is in the future.",
    },
    "assessment_date_before_client": {
        "fi": "Päivämäärä {on} on ennen asiakkuuden alkua.",
        "sv": "Datumet {on} är före ärendets början.",
        "en": "The date {on} is before the client became a client.",
    },
    "assessment_completed_before_start": {
        "fi": "Valmistumispäivä {on} on ennen kartoituksen aloitusta {started_on}.",
        "sv": "Slutdatumet {on} är före kartläggningens start {started_on}.",
        "en": "The completion date {on} is before the assessment started on {started_on}.",
    },
    "plan_type_without_plan": {
        "fi": "Suunnitelman tyyppi ({plan_type}) on annettu, vaikka suunnitelmaa ei tarvita.",
        "sv": "En plantyp ({plan_type}) har angetts fast ingen plan behövs.",
        "en": "A plan type ({plan_type}) is given but no plan is needed.",
    },
    "wellbeing_participant_missing": {
        "fi": "Monialainen suunnitelma tarvitsee hyvinvointialueen osallistujan.",
        "sv": "En sektorsövergripande plan behöver en deltagare från välfärdsområdet.",
        "en": "A multi-sectoral plan needs the wellbeing services county's participant.",
    },
    "correction_empty": {
        "fi": "Korjauksessa ei ole yhtään korjattavaa kohtaa.",
        "sv": "Rättelsen anger ingen del som ska rättas.",
        "en": "The correction names no part of the assessment to correct.",
    },
    "no_role": {
        "fi": "Käyttäjätunnuksellasi ei ole yhtään roolia, joten et voi tehdä mitään. Pyydä rooli pääkäyttäjältä.",
        "sv": "Ditt användarkonto har ingen roll och kan därför inte göra något. Be administratören om en roll.",
        "en": "Your account has no role, so it may do nothing. Ask an administrator for a role.",
    },
    "assessment_not_open": {
        "fi": "Asiakkaalla ei ole avointa alkukartoitusta.",
        "sv": "Klienten har ingen öppen inledande kartläggning.",
        "en": "The client has no initial assessment open.",
    },
    "assessment_not_found": {
        "fi": "Asiakkaalla ei ole alkukartoitusta.",
        "sv": "Klienten har ingen inledande kartläggning.",
        "en": "The client has no initial assessment.",
    },
    "assessment_refused": {
        "fi": "Alkukartoitus ei voi ottaa tätä vastaan nyt: {reason}",
        "sv": "Den inledande kartläggningen kan inte ta emot detta nu: {reason}",
        "en": "The initial assessment cannot take this now: {reason}",
    },
    "case_already_assigned": {
        "fi": "Asiakkuus on jo työntekijällä {assignee}.",
        "sv": "Ärendet har redan tilldelats {assignee}.",
        "en": "The case is already assigned to {assignee}.",
    },
}


def translate(code: str, language: str = DEFAULT_LANGUAGE, **params) -> str:
    texts = MESSAGES[code]
    return texts.get(language, texts["en"]).format(**params)


def all_languages(code: str, **params) -> dict[str, str]:
    return {language: translate(code, language, **params) for language in LANGUAGES}


def negotiate(accept_language: str | None) -> str:
    """The first of fi/sv/en the caller accepts (by q-value), else English."""
    if not accept_language:
        return "en"
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return "en"
