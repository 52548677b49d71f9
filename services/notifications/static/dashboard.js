/* Kotopolku staff dashboard: cases, deadlines and live updates, in Finnish, Swedish and English.
 *
 * Plain JavaScript, no dependencies. Talks to the notifications service's JSON API with the
 * httponly session cookie (set by POST /session), and follows GET /api/v1/cases/stream (SSE).
 * Every text a person reads comes from the dictionary below; data from the API is only ever
 * inserted as text (never as HTML).
 */
(function () {
  "use strict";

  var LANGS = ["fi", "sv", "en"];
  var DEFAULT_LANG = "fi";
  var STORAGE_KEY = "kotopolku.lang";
  var PAGE_SIZE = 25;
  var STAGES = ["intake", "assessment", "planning", "follow_up", "closed"];
  var REFRESH_DEBOUNCE_MS = 400;
  var REFRESH_MAX_WAIT_MS = 2000;
  var HIGHLIGHT_MS = 6000;
  var NOTICE_STATUSES = ["received", "acknowledged", "arrived", "expired", "withdrawn"];
  var NOTICES_PAGE_SIZE = 25;
  var REVIEWS_PAGE_SIZE = 50;
  var NOTICES_URL = "/api/v1/municipal/recruitment-notices";
  var REVIEW_URLS = { match: "/api/v1/municipal/match-reviews", duplicate: "/api/v1/municipal/duplicate-reviews" };

  // --- Texts ------------------------------------------------------------------------------------

  var TEXTS = {
    fi: {
      page_title: "Kotopolku – asiakkuudet",
      skip_to_content: "Siirry sisältöön",
      tagline: "Kotoutumispalvelujen asiakkuudet",
      lang_nav: "Kieli",
      sign_out: "Kirjaudu ulos",
      loading: "Ladataan…",
      signin_title: "Kirjaudu sisään",
      signin_intro: "Kirjaudu sisään tunnisteella (token), jonka saat tunnistuspalvelusta.",
      token_label: "Tunniste (token)",
      sign_in: "Kirjaudu",
      dev_token_hint: "Kehitysympäristössä tunnisteen saa komennolla:",
      token_invalid: "Tunniste ei kelpaa tai se on vanhentunut. Tarkista tunniste ja yritä uudelleen.",
      app_title: "Asiakkuudet",
      summary_title: "Yhteenveto",
      summary_total: "Kaikki asiakkuudet",
      summary_overdue: "Myöhässä",
      summary_show_stage: "Näytä vaihe: {stage}",
      filters_title: "Rajaus",
      filter_stage: "Vaihe",
      all_stages: "Kaikki vaiheet",
      filter_municipality: "Kunta (kuntanumero)",
      municipality_placeholder: "esim. 109",
      municipality_help: "Kolminumeroinen kuntanumero, esimerkiksi 109 (Hämeenlinna).",
      filter_q: "Hae asiakkaan nimellä",
      filter_overdue: "Vain myöhässä olevat",
      apply_filters: "Hae",
      reset_filters: "Tyhjennä rajaus",
      cases_title: "Asiakkuudet",
      cases_count_one: "{n} asiakkuus",
      cases_count_other: "{n} asiakkuutta",
      col_client: "Asiakas",
      col_municipality: "Kunta",
      col_stage: "Vaihe",
      col_status: "Tila",
      col_deadline: "Seuraava määräaika",
      col_changed: "Viimeisin muutos",
      cases_help: "Valitse asiakkuus nähdäksesi sen tiedot, määräajat ja tapahtumat.",
      no_cases: "Valituilla ehdoilla ei löytynyt asiakkuuksia.",
      pagination: "Sivutus",
      prev_page: "Edellinen",
      next_page: "Seuraava",
      page_info: "Sivu {page} / {pages}",
      overdue: "Myöhässä",
      updated: "Päivitetty",
      no_deadline: "Ei määräaikaa",
      unknown_client: "Asiakastiedot puuttuvat",
      detail_title: "Asiakkuuden tiedot",
      close: "Sulje",
      loading_detail: "Ladataan asiakkuuden tietoja…",
      client_heading: "Asiakas",
      case_heading: "Asiakkuus",
      deadlines_heading: "Määräajat",
      timeline_heading: "Tapahtumat",
      field_name: "Nimi",
      field_birth_date: "Syntymäaika",
      field_nationality: "Kansalaisuus",
      field_native_language: "Äidinkieli",
      field_preferred_languages: "Asiointikielet",
      field_residence_basis: "Oleskelun peruste",
      field_lead: "Vastuuviranomainen",
      field_municipality: "Kunta",
      field_stage: "Vaihe",
      field_status: "Tila",
      field_assignee: "Vastuuhenkilö",
      field_changed: "Viimeisin muutos",
      field_reason: "Syy",
      field_deadline: "Määräaika",
      not_assigned: "Ei nimetty",
      not_recorded: "Ei tiedossa",
      no_deadlines: "Ei määräaikoja.",
      no_timeline: "Ei tapahtumia.",
      next_deadline_marker: "seuraava",
      notifications_title: "Ilmoitukset",
      no_notifications: "Ei ilmoituksia.",
      open_case: "Avaa asiakkuus",
      recipient: "Vastaanottaja: {role}",
      municipality_code: "kunta {code}",
      live_live: "Reaaliaikainen",
      live_connecting: "Yhdistetään…",
      live_reconnecting: "Yhdistetään uudelleen…",
      live_title_live: "Muutokset päivittyvät näkymään automaattisesti.",
      live_title_reconnecting: "Yhteys muutosvirtaan katkesi. Yhdistetään uudelleen.",
      at_time: "klo",
      network_error: "Yhteys palvelimeen epäonnistui. Tarkista verkkoyhteys; tiedot päivitetään, kun yhteys palaa.",
      error_generic: "Tietojen haku epäonnistui (virhe {status}).",

      refresh: "Päivitä",
      notices_title: "Rekrytointi-ilmoitukset",
      notices_count_one: "{n} ilmoitus",
      notices_count_other: "{n} ilmoitusta",
      filter_notice_status: "Ilmoituksen tila",
      all_notice_statuses: "Kaikki tilat",
      col_recruit: "Rekrytoitu henkilö",
      col_employer: "Työnantaja",
      col_job_title: "Tehtävä",
      col_arrival: "Odotettu saapumispäivä",
      col_actions: "Toiminnot",
      no_notices: "Ei rekrytointi-ilmoituksia.",
      notices_pagination: "Rekrytointi-ilmoitusten sivutus",
      acknowledge: "Kuittaa",
      acknowledge_label: "Kuittaa rekrytointi-ilmoitus: {name}",
      acknowledged_by: "Kuitannut {name}",
      notice_acknowledged: "Rekrytointi-ilmoitus kuitattu: {name}.",
      reviews_title: "Tarkistettavat",
      reviews_count_one: "{n} tarkistettava",
      reviews_count_other: "{n} tarkistettavaa",
      no_reviews: "Ei tarkistettavia.",
      review_match_title: "Onko rekrytointi-ilmoituksen henkilö rekisteröity asiakas?",
      review_duplicate_title: "Onko asiakas rekisteröity kahdesti?",
      side_notice: "Rekrytointi-ilmoitus",
      side_client: "Rekisteröity asiakas",
      side_earlier_client: "Aiemmin rekisteröity asiakas",
      side_later_client: "Myöhemmin rekisteröity asiakas",
      similarity: "Samankaltaisuus",
      field_employer: "Työnantaja",
      field_arrival: "Odotettu saapuminen",
      field_registered_on: "Rekisteröity",
      field_source: "Lähde",
      same_person: "Sama henkilö",
      different_people: "Eri henkilöt",
      review_resolved: "Ratkaisu tallennettu.",

      "notice_status.received": "Vastaanotettu",
      "notice_status.acknowledged": "Kuitattu",
      "notice_status.arrived": "Saapunut",
      "notice_status.expired": "Vanhentunut",
      "notice_status.withdrawn": "Peruttu",

      "similarity.exact": "Tiedot täsmäävät",
      "similarity.partial": "Tiedot täsmäävät osittain",

      "review_reason.several_candidates": "Ilmoitusta vastaa useampi asiakas",

      "stage.intake": "Vastaanotto",
      "stage.assessment": "Alkukartoitus",
      "stage.planning": "Kotoutumissuunnitelma",
      "stage.follow_up": "Seuranta",
      "stage.closed": "Päättynyt",

      "status.received": "Vastaanotettu",
      "status.awaiting_assessment": "Odottaa alkukartoitusta",
      "status.assessment_overdue": "Alkukartoitus myöhässä",
      "status.assessment_in_progress": "Alkukartoitus käynnissä",
      "status.awaiting_plan": "Odottaa kotoutumissuunnitelmaa",
      "status.plan_overdue": "Kotoutumissuunnitelma myöhässä",
      "status.plan_active": "Kotoutumissuunnitelma voimassa",
      "status.review_overdue": "Suunnitelman tarkistus myöhässä",
      "status.not_eligible": "Ei oikeutta kotoutumispalveluihin",
      "status.completed": "Kotoutumispalvelut päättyneet",
      "status.moved_away": "Muuttanut pois kunnasta",

      "deadline.assessment_start": "Alkukartoituksen aloitus",
      "deadline.plan_start": "Kotoutumissuunnitelman laatiminen",
      "deadline.plan_review": "Suunnitelman tarkistus",

      "reason.fi.kotopolku.resident.registered.v1": "Kotikunta rekisteröity",
      "reason.fi.kotopolku.jobseeker.registered.v1": "Ilmoittautunut työnhakijaksi",
      "reason.fi.kotopolku.resident.moved.v1": "Muutto toiseen kuntaan",
      "reason.fi.kotopolku.assessment.requested.v1": "Alkukartoitusta pyydetty",
      "reason.fi.kotopolku.service.reported.v1": "Palvelusta ilmoitettu",
      "reason.deadline.assessment_start.missed": "Alkukartoituksen määräaika ylittyi",
      "reason.deadline.assessment_start.escalated": "Myöhästyminen ilmoitettu koordinaattorille",
      "reason.assessment.started": "Alkukartoitus aloitettu",
      "reason.not_eligible.window_passed": "Ei oikeutta: aika ensimmäisestä oleskeluluvasta tai rekisteröinnistä on kulunut",
      "reason.not_eligible.future_date": "Ei oikeutta: oleskeluluvan päivämäärä on tulevaisuudessa (tarkista tiedot)",

      "basis.work": "Työ",
      "basis.family": "Perhe",
      "basis.study": "Opiskelu",
      "basis.international_protection": "Kansainvälinen suojelu",
      "basis.quota_refugee": "Kiintiöpakolainen",
      "basis.temporary_protection": "Tilapäinen suojelu",
      "basis.eu_registration": "EU-kansalaisen oleskeluoikeuden rekisteröinti",
      "basis.nordic": "Pohjoismaan kansalainen",
      "basis.returnee": "Paluumuuttaja",
      "basis.trafficking_victim": "Ihmiskaupan uhri",
      "basis.other": "Muu",

      "lead.employment_authority": "Työvoimaviranomainen",
      "lead.municipality": "Kunta",

      "role.caseworker": "asiakasohjaaja",
      "role.coordinator": "koordinaattori",
      "role.admin": "pääkäyttäjä"
    },

    sv: {
      page_title: "Kotopolku – ärenden",
      skip_to_content: "Hoppa till innehållet",
      tagline: "Ärenden inom integrationstjänsterna",
      lang_nav: "Språk",
      sign_out: "Logga ut",
      loading: "Laddar…",
      signin_title: "Logga in",
      signin_intro: "Logga in med en identifierare (token) som du får från identifieringstjänsten.",
      token_label: "Identifierare (token)",
      sign_in: "Logga in",
      dev_token_hint: "I utvecklingsmiljön får du en identifierare med kommandot:",
      token_invalid: "Identifieraren är ogiltig eller har gått ut. Kontrollera den och försök igen.",
      app_title: "Ärenden",
      summary_title: "Sammanfattning",
      summary_total: "Alla ärenden",
      summary_overdue: "Försenade",
      summary_show_stage: "Visa skede: {stage}",
      filters_title: "Avgränsning",
      filter_stage: "Skede",
      all_stages: "Alla skeden",
      filter_municipality: "Kommun (kommunnummer)",
      municipality_placeholder: "t.ex. 109",
      municipality_help: "Kommunnummer med tre siffror, till exempel 109 (Tavastehus).",
      filter_q: "Sök på klientens namn",
      filter_overdue: "Endast försenade",
      apply_filters: "Sök",
      reset_filters: "Töm avgränsningen",
      cases_title: "Ärenden",
      cases_count_one: "{n} ärende",
      cases_count_other: "{n} ärenden",
      col_client: "Klient",
      col_municipality: "Kommun",
      col_stage: "Skede",
      col_status: "Status",
      col_deadline: "Nästa tidsfrist",
      col_changed: "Senaste ändring",
      cases_help: "Välj ett ärende för att se uppgifter, tidsfrister och händelser.",
      no_cases: "Inga ärenden motsvarar avgränsningen.",
      pagination: "Sidnumrering",
      prev_page: "Föregående",
      next_page: "Nästa",
      page_info: "Sida {page} / {pages}",
      overdue: "Försenad",
      updated: "Uppdaterad",
      no_deadline: "Ingen tidsfrist",
      unknown_client: "Klientuppgifter saknas",
      detail_title: "Ärendets uppgifter",
      close: "Stäng",
      loading_detail: "Laddar ärendets uppgifter…",
      client_heading: "Klient",
      case_heading: "Ärende",
      deadlines_heading: "Tidsfrister",
      timeline_heading: "Händelser",
      field_name: "Namn",
      field_birth_date: "Födelsedatum",
      field_nationality: "Medborgarskap",
      field_native_language: "Modersmål",
      field_preferred_languages: "Kontaktspråk",
      field_residence_basis: "Grund för vistelse",
      field_lead: "Ansvarig myndighet",
      field_municipality: "Kommun",
      field_stage: "Skede",
      field_status: "Status",
      field_assignee: "Ansvarsperson",
      field_changed: "Senaste ändring",
      field_reason: "Orsak",
      field_deadline: "Tidsfrist",
      not_assigned: "Inte utsedd",
      not_recorded: "Okänt",
      no_deadlines: "Inga tidsfrister.",
      no_timeline: "Inga händelser.",
      next_deadline_marker: "nästa",
      notifications_title: "Meddelanden",
      no_notifications: "Inga meddelanden.",
      open_case: "Öppna ärendet",
      recipient: "Mottagare: {role}",
      municipality_code: "kommun {code}",
      live_live: "Realtid",
      live_connecting: "Ansluter…",
      live_reconnecting: "Återansluter…",
      live_title_live: "Ändringar uppdateras automatiskt i vyn.",
      live_title_reconnecting: "Anslutningen till ändringsflödet bröts. Återansluter.",
      at_time: "kl.",
      network_error: "Det gick inte att nå servern. Kontrollera nätverksanslutningen; uppgifterna uppdateras när anslutningen fungerar igen.",
      error_generic: "Det gick inte att hämta uppgifterna (fel {status}).",

      refresh: "Uppdatera",
      notices_title: "Rekryteringsanmälningar",
      notices_count_one: "{n} anmälan",
      notices_count_other: "{n} anmälningar",
      filter_notice_status: "Anmälans status",
      all_notice_statuses: "Alla statusar",
      col_recruit: "Rekryterad person",
      col_employer: "Arbetsgivare",
      col_job_title: "Befattning",
      col_arrival: "Väntat ankomstdatum",
      col_actions: "Åtgärder",
      no_notices: "Inga rekryteringsanmälningar.",
      notices_pagination: "Sidnumrering för rekryteringsanmälningar",
      acknowledge: "Kvittera",
      acknowledge_label: "Kvittera rekryteringsanmälan: {name}",
      acknowledged_by: "Kvitterad av {name}",
      notice_acknowledged: "Rekryteringsanmälan kvitterad: {name}.",
      reviews_title: "Att granska",
      reviews_count_one: "{n} att granska",
      reviews_count_other: "{n} att granska",
      no_reviews: "Inget att granska.",
      review_match_title: "Är personen i rekryteringsanmälan en registrerad klient?",
      review_duplicate_title: "Är klienten registrerad två gånger?",
      side_notice: "Rekryteringsanmälan",
      side_client: "Registrerad klient",
      side_earlier_client: "Tidigare registrerad klient",
      side_later_client: "Senare registrerad klient",
      similarity: "Likhet",
      field_employer: "Arbetsgivare",
      field_arrival: "Väntad ankomst",
      field_registered_on: "Registrerad",
      field_source: "Källa",
      same_person: "Samma person",
      different_people: "Olika personer",
      review_resolved: "Beslutet har sparats.",

      "notice_status.received": "Mottagen",
      "notice_status.acknowledged": "Kvitterad",
      "notice_status.arrived": "Har anlänt",
      "notice_status.expired": "Har gått ut",
      "notice_status.withdrawn": "Återkallad",

      "similarity.exact": "Uppgifterna stämmer överens",
      "similarity.partial": "Uppgifterna stämmer delvis överens",

      "review_reason.several_candidates": "Flera klienter motsvarar anmälan",

      "stage.intake": "Mottagning",
      "stage.assessment": "Inledande kartläggning",
      "stage.planning": "Integrationsplan",
      "stage.follow_up": "Uppföljning",
      "stage.closed": "Avslutat",

      "status.received": "Mottaget",
      "status.awaiting_assessment": "Väntar på inledande kartläggning",
      "status.assessment_overdue": "Inledande kartläggning försenad",
      "status.assessment_in_progress": "Inledande kartläggning pågår",
      "status.awaiting_plan": "Väntar på integrationsplan",
      "status.plan_overdue": "Integrationsplanen försenad",
      "status.plan_active": "Integrationsplanen gäller",
      "status.review_overdue": "Översynen av planen försenad",
      "status.not_eligible": "Inte berättigad till integrationstjänster",
      "status.completed": "Integrationstjänsterna avslutade",
      "status.moved_away": "Flyttat från kommunen",

      "deadline.assessment_start": "Start av inledande kartläggning",
      "deadline.plan_start": "Upprättande av integrationsplan",
      "deadline.plan_review": "Översyn av planen",

      "reason.fi.kotopolku.resident.registered.v1": "Hemkommun registrerad",
      "reason.fi.kotopolku.jobseeker.registered.v1": "Anmält sig som arbetssökande",
      "reason.fi.kotopolku.resident.moved.v1": "Flytt till en annan kommun",
      "reason.fi.kotopolku.assessment.requested.v1": "Inledande kartläggning begärd",
      "reason.fi.kotopolku.service.reported.v1": "Tjänst rapporterad",
      "reason.deadline.assessment_start.missed": "Tidsfristen för inledande kartläggning har gått ut",
      "reason.deadline.assessment_start.escalated": "Förseningen anmäld till koordinatorn",
      "reason.assessment.started": "Inledande kartläggning påbörjad",
      "reason.not_eligible.window_passed": "Inte berättigad: tiden sedan första uppehållstillståndet eller registreringen har gått ut",
      "reason.not_eligible.future_date": "Inte berättigad: datumet för uppehållstillståndet ligger i framtiden (kontrollera uppgifterna)",

      "basis.work": "Arbete",
      "basis.family": "Familj",
      "basis.study": "Studier",
      "basis.international_protection": "Internationellt skydd",
      "basis.quota_refugee": "Kvotflykting",
      "basis.temporary_protection": "Tillfälligt skydd",
      "basis.eu_registration": "Registrering av EU-medborgares uppehållsrätt",
      "basis.nordic": "Nordisk medborgare",
      "basis.returnee": "Återflyttare",
      "basis.trafficking_victim": "Offer för människohandel",
      "basis.other": "Annan",

      "lead.employment_authority": "Arbetskraftsmyndigheten",
      "lead.municipality": "Kommunen",

      "role.caseworker": "handläggare",
      "role.coordinator": "koordinator",
      "role.admin": "huvudanvändare"
    },

    en: {
      page_title: "Kotopolku – cases",
      skip_to_content: "Skip to content",
      tagline: "Integration services cases",
      lang_nav: "Language",
      sign_out: "Sign out",
      loading: "Loading…",
      signin_title: "Sign in",
      signin_intro: "Sign in with a token from your identity provider.",
      token_label: "Token",
      sign_in: "Sign in",
      dev_token_hint: "In a development environment, get a token with:",
      token_invalid: "The token is invalid or has expired. Check it and try again.",
      app_title: "Cases",
      summary_title: "Summary",
      summary_total: "All cases",
      summary_overdue: "Overdue",
      summary_show_stage: "Show stage: {stage}",
      filters_title: "Filters",
      filter_stage: "Stage",
      all_stages: "All stages",
      filter_municipality: "Municipality (number)",
      municipality_placeholder: "e.g. 109",
      municipality_help: "Three-digit municipality number, for example 109 (Hämeenlinna).",
      filter_q: "Search by client name",
      filter_overdue: "Overdue only",
      apply_filters: "Search",
      reset_filters: "Clear filters",
      cases_title: "Cases",
      cases_count_one: "{n} case",
      cases_count_other: "{n} cases",
      col_client: "Client",
      col_municipality: "Municipality",
      col_stage: "Stage",
      col_status: "Status",
      col_deadline: "Next deadline",
      col_changed: "Last change",
      cases_help: "Choose a case to see its details, deadlines and timeline.",
      no_cases: "No cases match the filters.",
      pagination: "Pagination",
      prev_page: "Previous",
      next_page: "Next",
      page_info: "Page {page} of {pages}",
      overdue: "Overdue",
      updated: "Updated",
      no_deadline: "No deadline",
      unknown_client: "Client details missing",
      detail_title: "Case details",
      close: "Close",
      loading_detail: "Loading the case…",
      client_heading: "Client",
      case_heading: "Case",
      deadlines_heading: "Deadlines",
      timeline_heading: "Timeline",
      field_name: "Name",
      field_birth_date: "Date of birth",
      field_nationality: "Nationality",
      field_native_language: "Native language",
      field_preferred_languages: "Preferred languages",
      field_residence_basis: "Basis of residence",
      field_lead: "Lead authority",
      field_municipality: "Municipality",
      field_stage: "Stage",
      field_status: "Status",
      field_assignee: "Assignee",
      field_changed: "Last change",
      field_reason: "Reason",
      field_deadline: "Deadline",
      not_assigned: "Not assigned",
      not_recorded: "Not known",
      no_deadlines: "No deadlines.",
      no_timeline: "No events.",
      next_deadline_marker: "next",
      notifications_title: "Notifications",
      no_notifications: "No notifications.",
      open_case: "Open the case",
      recipient: "For: {role}",
      municipality_code: "municipality {code}",
      live_live: "Live",
      live_connecting: "Connecting…",
      live_reconnecting: "Reconnecting…",
      live_title_live: "Changes appear here automatically.",
      live_title_reconnecting: "The connection to the change feed was lost. Reconnecting.",
      at_time: "",
      network_error: "Could not reach the server. Check the network connection; the data is refreshed when it is back.",
      error_generic: "Loading failed (error {status}).",

      refresh: "Refresh",
      notices_title: "Recruitment notices",
      notices_count_one: "{n} notice",
      notices_count_other: "{n} notices",
      filter_notice_status: "Notice status",
      all_notice_statuses: "All statuses",
      col_recruit: "Recruit",
      col_employer: "Employer",
      col_job_title: "Job title",
      col_arrival: "Expected arrival",
      col_actions: "Actions",
      no_notices: "No recruitment notices.",
      notices_pagination: "Recruitment notice pages",
      acknowledge: "Acknowledge",
      acknowledge_label: "Acknowledge the recruitment notice: {name}",
      acknowledged_by: "Acknowledged by {name}",
      notice_acknowledged: "Recruitment notice acknowledged: {name}.",
      reviews_title: "Reviews waiting",
      reviews_count_one: "{n} waiting",
      reviews_count_other: "{n} waiting",
      no_reviews: "Nothing to review.",
      review_match_title: "Is the person in the recruitment notice a registered client?",
      review_duplicate_title: "Is the client registered twice?",
      side_notice: "Recruitment notice",
      side_client: "Registered client",
      side_earlier_client: "Registered earlier",
      side_later_client: "Registered later",
      similarity: "Similarity",
      field_employer: "Employer",
      field_arrival: "Expected arrival",
      field_registered_on: "Registered",
      field_source: "Source",
      same_person: "Same person",
      different_people: "Different people",
      review_resolved: "Decision saved.",

      "notice_status.received": "Received",
      "notice_status.acknowledged": "Acknowledged",
      "notice_status.arrived": "Arrived",
      "notice_status.expired": "Expired",
      "notice_status.withdrawn": "Withdrawn",

      "similarity.exact": "The details match",
      "similarity.partial": "The details match partly",

      "review_reason.several_candidates": "Several clients fit the notice",

      "stage.intake": "Intake",
      "stage.assessment": "Initial assessment",
      "stage.planning": "Integration plan",
      "stage.follow_up": "Follow-up",
      "stage.closed": "Closed",

      "status.received": "Received",
      "status.awaiting_assessment": "Awaiting initial assessment",
      "status.assessment_overdue": "Initial assessment overdue",
      "status.assessment_in_progress": "Initial assessment in progress",
      "status.awaiting_plan": "Awaiting integration plan",
      "status.plan_overdue": "Integration plan overdue",
      "status.plan_active": "Integration plan in force",
      "status.review_overdue": "Plan review overdue",
      "status.not_eligible": "Not eligible for integration services",
      "status.completed": "Integration services completed",
      "status.moved_away": "Moved away from the municipality",

      "deadline.assessment_start": "Start of the initial assessment",
      "deadline.plan_start": "Drawing up the integration plan",
      "deadline.plan_review": "Review of the plan",

      "reason.fi.kotopolku.resident.registered.v1": "Municipality of residence registered",
      "reason.fi.kotopolku.jobseeker.registered.v1": "Registered as a jobseeker",
      "reason.fi.kotopolku.resident.moved.v1": "Moved to another municipality",
      "reason.fi.kotopolku.assessment.requested.v1": "Initial assessment requested",
      "reason.fi.kotopolku.service.reported.v1": "Service reported",
      "reason.deadline.assessment_start.missed": "Initial assessment deadline missed",
      "reason.deadline.assessment_start.escalated": "Delay escalated to the coordinator",
      "reason.assessment.started": "Initial assessment started",
      "reason.not_eligible.window_passed": "Not eligible: the period since the first residence permit or registration has passed",
      "reason.not_eligible.future_date": "Not eligible: the residence permit date is in the future (check the data)",

      "basis.work": "Work",
      "basis.family": "Family",
      "basis.study": "Study",
      "basis.international_protection": "International protection",
      "basis.quota_refugee": "Quota refugee",
      "basis.temporary_protection": "Temporary protection",
      "basis.eu_registration": "Registration of an EU citizen's right of residence",
      "basis.nordic": "Nordic citizen",
      "basis.returnee": "Returnee",
      "basis.trafficking_victim": "Victim of human trafficking",
      "basis.other": "Other",

      "lead.employment_authority": "Employment authority",
      "lead.municipality": "Municipality",

      "role.caseworker": "caseworker",
      "role.coordinator": "coordinator",
      "role.admin": "administrator"
    }
  };

  // --- State ------------------------------------------------------------------------------------

  var state = {
    lang: DEFAULT_LANG,
    signedIn: null, // null until the first answer; then true or false
    filters: { stage: "", municipality: "", q: "", overdue: false },
    page: 1,
    cases: null, // {items, total, page, page_size}
    casesLoading: false,
    summary: null, // {total, overdue, byStage: {stage: n}}
    notifications: null,
    selectedId: null,
    detail: null, // {status: "loading"|"ok"|"error", data, messages}
    error: null, // {key, params} or {messages}
    signinError: null, // {key} or {messages}
    live: "off", // off | connecting | live | reconnecting
    highlight: {}, // case_id -> time until which the row is marked as updated
    notices: null, // {items, total, page, page_size}
    noticesPage: 1,
    noticesStatus: "",
    noticesMessage: null, // a refused or failed action: {key, params} or {messages}
    noticesLoadError: null,
    noticesDone: null, // what the last action did, for screen readers: {key, params}
    noticeBusy: {}, // notice id -> true while acknowledging
    reviews: null, // {match: page, duplicate: page}
    reviewsMessage: null,
    reviewsLoadError: null,
    reviewsDone: null,
    reviewBusy: {} // review id -> true while deciding
  };

  var casesRequest = 0;
  var summaryRequest = 0;
  var notificationsRequest = 0;
  var detailRequest = 0;
  var noticesRequest = 0;
  var reviewsRequest = 0;

  // --- Helpers ----------------------------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function t(key, params) {
    var texts = TEXTS[state.lang] || TEXTS[DEFAULT_LANG];
    var text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : null;
    if (text === null) {
      text = Object.prototype.hasOwnProperty.call(TEXTS.en, key) ? TEXTS.en[key] : key;
    }
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
      });
    }
    return text;
  }

  /** A translated code (stage, status, ...) or, for a value the dictionary doesn't know, the value. */
  function term(prefix, value) {
    if (value === null || value === undefined || value === "") {
      return "";
    }
    var key = prefix + "." + value;
    var texts = TEXTS[state.lang] || TEXTS[DEFAULT_LANG];
    return Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : String(value);
  }

  function plural(base, n) {
    return t(n === 1 ? base + "_one" : base + "_other", { n: n });
  }

  /** Creates an element: h("p", {className: "x", dataset: {a: 1}}, "text", childNode, ...). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (name === "className") {
          el.className = value;
        } else if (name === "dataset") {
          Object.keys(value).forEach(function (k) {
            el.dataset[k] = value[k];
          });
        } else if (name === "onclick") {
          el.addEventListener("click", value);
        } else if (name === "text") {
          el.textContent = value;
        } else {
          el.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) {
        append(el, c);
      });
    } else if (typeof child === "string" || typeof child === "number") {
      el.appendChild(document.createTextNode(String(child)));
    } else {
      el.appendChild(child);
    }
  }

  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  /** A timestamp from the API; one without an offset is UTC (as the service stores them). */
  function parseTime(value) {
    var text = String(value);
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) {
      text += "Z";
    }
    return new Date(text);
  }

  /** d.M.yyyy in Finnish and Swedish, yyyy-MM-dd in English. Accepts "yyyy-MM-dd" or an ISO time. */
  function formatDate(value) {
    if (!value) {
      return "";
    }
    var y, m, d;
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (match) {
      y = +match[1];
      m = +match[2];
      d = +match[3];
    } else {
      var date = parseTime(value);
      if (isNaN(date.getTime())) {
        return String(value);
      }
      y = date.getFullYear();
      m = date.getMonth() + 1;
      d = date.getDate();
    }
    return state.lang === "en" ? y + "-" + pad(m) + "-" + pad(d) : d + "." + m + "." + y;
  }
  // Swedish names where Swedish is read (Vasa, not Vaasa); Finnish otherwise.
  function municipalityName(item) {
    return (state.lang === "sv" && item.municipality_name_sv) || item.municipality_name;
  }


  /** Date and local time: "23.11.2026 klo 10.05" (fi), "23.11.2026 kl. 10.05" (sv), "2026-11-23 10:05" (en). */
  function formatDateTime(value) {
    if (!value) {
      return "";
    }
    var date = parseTime(value);
    if (isNaN(date.getTime())) {
      return String(value);
    }
    var day = state.lang === "en"
      ? date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate())
      : date.getDate() + "." + (date.getMonth() + 1) + "." + date.getFullYear();
    if (state.lang === "en") {
      return day + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
    }
    return day + " " + t("at_time") + " " + date.getHours() + "." + pad(date.getMinutes());
  }

  function timeEl(value, withTime) {
    return h("time", { datetime: value }, withTime ? formatDateTime(value) : formatDate(value));
  }

  var displayNames = {};

  /** Language or country names in the UI language where the browser knows them; else the code. */
  function displayName(type, code) {
    if (!code) {
      return "";
    }
    try {
      if (typeof Intl === "undefined" || !Intl.DisplayNames) {
        return code;
      }
      var key = type + ":" + state.lang;
      if (!displayNames[key]) {
        displayNames[key] = new Intl.DisplayNames([state.lang], { type: type, fallback: "code" });
      }
      var lookup = type === "region" ? String(code).toUpperCase() : String(code).toLowerCase();
      if (type === "region" && !/^([A-Z]{2}|\d{3})$/.test(lookup)) {
        return code;
      }
      var name = displayNames[key].of(lookup);
      if (!name || name.toLowerCase() === lookup.toLowerCase()) {
        return code;
      }
      return name.charAt(0).toLocaleUpperCase(state.lang) + name.slice(1);
    } catch (e) {
      return code;
    }
  }

  function personName(person) {
    return person ? (person.given_names + " " + person.family_name).trim() : "";
  }

  function clientName(client) {
    if (!client) {
      return t("unknown_client");
    }
    return (client.given_names + " " + client.family_name).trim();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fn.apply(null, args);
      }, ms);
    };
  }

  // --- API --------------------------------------------------------------------------------------

  function ApiFailure(status, body) {
    this.status = status;
    this.body = body;
    var detail = body && body.detail;
    this.code = (detail && detail.code) || (body && body.code) || null;
    this.messages = (detail && detail.messages) || (body && body.messages) || null;
  }

  /** GET by default; api(path, {method: "POST", body: {...}}) sends JSON. */
  function api(path, init) {
    var options = {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "Accept-Language": state.lang }
    };
    if (init && init.method) {
      options.method = init.method;
    }
    if (init && init.body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(init.body);
    }
    return fetch(path, options).then(
      function (response) {
        return response.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            body = null;
          }
          if (!response.ok) {
            throw new ApiFailure(response.status, body);
          }
          return body;
        });
      },
      function () {
        throw new ApiFailure(0, null);
      }
    );
  }

  function errorState(failure) {
    if (failure && failure.messages) {
      return { messages: failure.messages };
    }
    if (!failure || failure.status === 0) {
      return { key: "network_error" };
    }
    return { key: "error_generic", params: { status: failure.status } };
  }

  function errorText(error) {
    if (!error) {
      return "";
    }
    if (error.messages) {
      return error.messages[state.lang] || error.messages.en || error.messages.fi || "";
    }
    return t(error.key, error.params);
  }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      if (value !== null && value !== undefined && value !== "" && value !== false) {
        parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(String(value)));
      }
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function caseFilterParams() {
    var f = state.filters;
    return {
      municipality: f.municipality,
      stage: f.stage,
      overdue: f.overdue ? "true" : "",
      q: f.q
    };
  }

  // --- Loading ----------------------------------------------------------------------------------

  function handleFailure(failure, target) {
    if (failure && failure.status === 401) {
      showSignin(failure);
      return;
    }
    if (target === "detail") {
      state.detail = { status: "error", messages: errorState(failure) };
      renderDetail();
      return;
    }
    state.error = errorState(failure);
    renderError();
  }

  function loadCases() {
    var id = ++casesRequest;
    var params = caseFilterParams();
    params.page = state.page;
    params.page_size = PAGE_SIZE;
    state.casesLoading = true;
    $("cases").setAttribute("aria-busy", "true");
    return api("/api/v1/cases" + query(params)).then(
      function (page) {
        if (id !== casesRequest) {
          return;
        }
        state.casesLoading = false;
        $("cases").removeAttribute("aria-busy");
        var pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
        if (page.total > 0 && state.page > pages) {
          state.page = pages; // the list shrank under us: show its last page
          return loadCases();
        }
        state.cases = page;
        if (state.error) {
          state.error = null;
          renderError();
        }
        if (state.signedIn !== true) {
          enterApp();
        }
        renderCases();
      },
      function (failure) {
        if (id !== casesRequest) {
          return;
        }
        state.casesLoading = false;
        $("cases").removeAttribute("aria-busy");
        if (state.signedIn === null && !(failure && failure.status === 401)) {
          // The very first call failed for another reason (server or network down): say so and
          // try again in a while.
          $("loading").hidden = true;
          setTimeout(function () {
            if (state.signedIn === null) {
              loadCases();
            }
          }, 5000);
        }
        handleFailure(failure);
      }
    );
  }

  function loadSummary() {
    var id = ++summaryRequest;
    var base = { municipality: state.filters.municipality, page_size: 1 };
    function count(extra) {
      var params = {};
      Object.keys(base).forEach(function (k) {
        params[k] = base[k];
      });
      Object.keys(extra).forEach(function (k) {
        params[k] = extra[k];
      });
      return api("/api/v1/cases" + query(params)).then(function (page) {
        return page.total;
      });
    }
    var calls = [count({}), count({ overdue: "true" })].concat(
      STAGES.map(function (stage) {
        return count({ stage: stage });
      })
    );
    return Promise.all(calls).then(
      function (totals) {
        if (id !== summaryRequest) {
          return;
        }
        var byStage = {};
        STAGES.forEach(function (stage, i) {
          byStage[stage] = totals[i + 2];
        });
        state.summary = { total: totals[0], overdue: totals[1], byStage: byStage };
        renderSummary();
      },
      function (failure) {
        if (id === summaryRequest) {
          handleFailure(failure);
        }
      }
    );
  }

  function loadNotifications() {
    var id = ++notificationsRequest;
    return api("/api/v1/notifications").then(
      function (items) {
        if (id !== notificationsRequest) {
          return;
        }
        state.notifications = items || [];
        renderNotifications();
      },
      function (failure) {
        if (id === notificationsRequest) {
          handleFailure(failure);
        }
      }
    );
  }

  function loadDetail(caseId) {
    var id = ++detailRequest;
    return api("/api/v1/cases/" + encodeURIComponent(caseId)).then(
      function (data) {
        if (id !== detailRequest || state.selectedId !== caseId) {
          return;
        }
        state.detail = { status: "ok", data: data };
        renderDetail();
      },
      function (failure) {
        if (id !== detailRequest || state.selectedId !== caseId) {
          return;
        }
        handleFailure(failure, "detail");
      }
    );
  }

  function loadNotices() {
    var id = ++noticesRequest;
    $("notices-table").setAttribute("aria-busy", "true");
    var params = { status: state.noticesStatus, page: state.noticesPage, page_size: NOTICES_PAGE_SIZE };
    return api(NOTICES_URL + query(params)).then(
      function (page) {
        if (id !== noticesRequest) {
          return;
        }
        $("notices-table").removeAttribute("aria-busy");
        var pages = Math.max(1, Math.ceil(page.total / NOTICES_PAGE_SIZE));
        if (page.total > 0 && state.noticesPage > pages) {
          state.noticesPage = pages;
          return loadNotices();
        }
        state.notices = page;
        state.noticesLoadError = null;
        renderNotices();
      },
      function (failure) {
        if (id !== noticesRequest) {
          return;
        }
        $("notices-table").removeAttribute("aria-busy");
        if (failure && failure.status === 401) {
          showSignin(failure);
          return;
        }
        state.noticesLoadError = errorState(failure);
        renderNotices();
      }
    );
  }

  function loadReviews() {
    var id = ++reviewsRequest;
    var params = query({ status: "open", page_size: REVIEWS_PAGE_SIZE });
    $("reviews").setAttribute("aria-busy", "true");
    return Promise.all([api(REVIEW_URLS.match + params), api(REVIEW_URLS.duplicate + params)]).then(
      function (pages) {
        if (id !== reviewsRequest) {
          return;
        }
        $("reviews").removeAttribute("aria-busy");
        state.reviews = { match: pages[0], duplicate: pages[1] };
        state.reviewsLoadError = null;
        renderReviews();
      },
      function (failure) {
        if (id !== reviewsRequest) {
          return;
        }
        $("reviews").removeAttribute("aria-busy");
        if (failure && failure.status === 401) {
          showSignin(failure);
          return;
        }
        state.reviewsLoadError = errorState(failure);
        renderReviews();
      }
    );
  }

  /** After an action: keep the keyboard user in the panel when the pressed button went away. */
  function keepFocusIn(panelId) {
    var active = document.activeElement;
    if (!active || active === document.body || !document.contains(active)) {
      $(panelId).focus();
    }
  }

  function acknowledgeNotice(notice) {
    if (state.noticeBusy[notice.id]) {
      return;
    }
    state.noticeBusy[notice.id] = true;
    state.noticesMessage = null;
    state.noticesDone = null;
    renderNotices();
    api(NOTICES_URL + "/" + encodeURIComponent(notice.id) + "/acknowledgement", { method: "POST" }).then(
      function () {
        delete state.noticeBusy[notice.id];
        state.noticesDone = { key: "notice_acknowledged", params: { name: personName(notice.recruit) } };
        return loadNotices().then(function () {
          keepFocusIn("notices");
        });
      },
      function (failure) {
        delete state.noticeBusy[notice.id];
        if (failure && failure.status === 401) {
          showSignin(failure);
          return;
        }
        state.noticesMessage = errorState(failure);
        if (failure && (failure.status === 409 || failure.status === 404)) {
          loadNotices(); // someone else already acted: show what is true now
        } else {
          renderNotices();
        }
      }
    );
  }

  function resolveReview(kind, review, decision) {
    if (state.reviewBusy[review.id]) {
      return;
    }
    state.reviewBusy[review.id] = true;
    state.reviewsMessage = null;
    state.reviewsDone = null;
    renderReviews();
    var url = REVIEW_URLS[kind] + "/" + encodeURIComponent(review.id) + "/resolution";
    api(url, { method: "POST", body: { decision: decision } }).then(
      function () {
        delete state.reviewBusy[review.id];
        state.reviewsDone = { key: "review_resolved" };
        if (kind === "match") {
          loadNotices(); // a match makes the notice arrive
        }
        return loadReviews().then(function () {
          keepFocusIn("reviews");
        });
      },
      function (failure) {
        delete state.reviewBusy[review.id];
        if (failure && failure.status === 401) {
          showSignin(failure);
          return;
        }
        state.reviewsMessage = errorState(failure);
        if (failure && (failure.status === 409 || failure.status === 404)) {
          loadReviews();
          if (kind === "match") {
            loadNotices();
          }
        } else {
          renderReviews();
        }
      }
    );
  }

  // Live updates arrive in bursts: refresh once for a burst, but at least every REFRESH_MAX_WAIT_MS.
  var refreshTimer = null;
  var refreshFirstAsked = 0;
  var refreshDetail = false;

  function scheduleRefresh(withDetail) {
    if (withDetail) {
      refreshDetail = true;
    }
    var now = Date.now();
    if (refreshTimer === null) {
      refreshFirstAsked = now;
    } else {
      clearTimeout(refreshTimer);
    }
    var wait = Math.max(0, Math.min(REFRESH_DEBOUNCE_MS, refreshFirstAsked + REFRESH_MAX_WAIT_MS - now));
    refreshTimer = setTimeout(runRefresh, wait);
  }

  function runRefresh() {
    refreshTimer = null;
    if (state.signedIn !== true) {
      return;
    }
    loadCases();
    loadSummary();
    loadNotifications();
    loadNotices();
    loadReviews();
    if (refreshDetail && state.selectedId) {
      loadDetail(state.selectedId);
    }
    refreshDetail = false;
  }

  // --- Live stream ------------------------------------------------------------------------------

  var source = null;
  var retryTimer = null;
  var retryDelay = 1000;

  function startStream() {
    stopStream();
    if (typeof window.EventSource === "undefined") {
      return;
    }
    setLive(state.live === "reconnecting" ? "reconnecting" : "connecting");
    var es = new EventSource("/api/v1/cases/stream", { withCredentials: true });
    source = es;
    es.addEventListener("open", function () {
      if (source !== es) {
        return;
      }
      var wasDown = state.live === "reconnecting";
      retryDelay = 1000;
      setLive("live");
      if (wasDown) {
        scheduleRefresh(true); // changes may have been missed while away
      }
    });
    es.addEventListener("case.updated", function (event) {
      if (source !== es) {
        return;
      }
      onCaseUpdated(event);
    });
    es.addEventListener("error", function () {
      if (source !== es) {
        return;
      }
      setLive("reconnecting");
      if (es.readyState === 2) {
        // CLOSED: the browser gave up (e.g. the session ended or the server refused). Check the
        // session and try again with a growing delay.
        es.close();
        source = null;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(function () {
          retryTimer = null;
          loadCases().then(function () {
            if (state.signedIn === true && source === null) {
              startStream();
            }
          });
        }, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      }
      // Otherwise (CONNECTING) the browser reconnects by itself, sending Last-Event-ID.
    });
  }

  function stopStream() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (source) {
      source.close();
      source = null;
    }
  }

  function onCaseUpdated(event) {
    var data = null;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      data = null;
    }
    var caseId = data && data.case_id;
    if (caseId) {
      state.highlight[caseId] = Date.now() + HIGHLIGHT_MS;
    }
    scheduleRefresh(Boolean(caseId && caseId === state.selectedId));
  }

  function setLive(value) {
    state.live = value;
    renderLive();
  }

  // --- Views ------------------------------------------------------------------------------------

  function enterApp() {
    state.signedIn = true;
    state.signinError = null;
    $("loading").hidden = true;
    $("signin-view").hidden = true;
    $("app-view").hidden = false;
    $("signout-form").hidden = false;
    renderStageOptions();
    renderNoticeStatusOptions();
    loadSummary();
    loadNotifications();
    loadNotices();
    loadReviews();
    startStream();
  }

  function showSignin(failure) {
    var wasSignedIn = state.signedIn === true;
    state.signedIn = false;
    stopStream();
    setLive("off");
    state.cases = null;
    state.summary = null;
    state.notifications = null;
    state.notices = null;
    state.noticesPage = 1;
    state.noticesMessage = null;
    state.noticesLoadError = null;
    state.noticesDone = null;
    state.noticeBusy = {};
    state.reviews = null;
    state.reviewsMessage = null;
    state.reviewsLoadError = null;
    state.reviewsDone = null;
    state.reviewBusy = {};
    state.selectedId = null;
    state.detail = null;
    state.error = null;
    if (failure && failure.code === "invalid_token" && failure.messages) {
      state.signinError = { messages: failure.messages }; // e.g. the session expired
    }
    $("loading").hidden = true;
    $("app-view").hidden = true;
    $("signout-form").hidden = true;
    $("signin-view").hidden = false;
    renderError();
    renderSignin();
    if (wasSignedIn) {
      $("signin-title").setAttribute("tabindex", "-1");
      $("signin-title").focus();
    }
  }

  function renderAll() {
    translateStatic();
    renderLanguageButtons();
    renderError();
    renderSignin();
    renderLive();
    if (state.signedIn === true) {
      renderStageOptions();
      renderSummary();
      renderCases();
      renderDetail();
      renderNotifications();
      renderNoticeStatusOptions();
      renderNotices();
      renderReviews();
    }
  }

  function translateStatic() {
    document.documentElement.lang = state.lang;
    document.title = t("page_title");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (el) {
      el.textContent = t(el.getAttribute("data-i18n"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-placeholder]"), function (el) {
      el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-aria-label]"), function (el) {
      el.setAttribute("aria-label", t(el.getAttribute("data-i18n-aria-label")));
    });
  }

  function renderLanguageButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-lang") === state.lang ? "true" : "false");
    });
  }

  function renderError() {
    var box = $("error");
    var text = errorText(state.error);
    box.textContent = text;
    box.hidden = !text;
  }

  function renderSignin() {
    var box = $("signin-error");
    var text = errorText(state.signinError);
    box.textContent = text;
    box.hidden = !text;
    if (text) {
      $("token").setAttribute("aria-describedby", "signin-error");
      $("token").setAttribute("aria-invalid", "true");
    } else {
      $("token").removeAttribute("aria-describedby");
      $("token").removeAttribute("aria-invalid");
    }
  }

  function renderLive() {
    var box = $("live-status");
    box.setAttribute("data-state", state.live);
    box.hidden = state.live === "off";
    var key = state.live === "live" ? "live_live" : state.live === "reconnecting" ? "live_reconnecting" : "live_connecting";
    $("live-status-text").textContent = t(key);
    box.title = state.live === "live" ? t("live_title_live") : state.live === "reconnecting" ? t("live_title_reconnecting") : "";
  }

  function renderStageOptions() {
    var select = $("filter-stage");
    clear(select);
    select.appendChild(h("option", { value: "" }, t("all_stages")));
    STAGES.forEach(function (stage) {
      select.appendChild(h("option", { value: stage }, term("stage", stage)));
    });
    select.value = state.filters.stage;
  }

  function renderSummary() {
    var list = $("summary-list");
    clear(list);
    var s = state.summary;
    function item(key, count, label, pressed, onclick, extraClass) {
      var countEl = h("span", { className: "summary-count" }, count === null ? "–" : String(count));
      if (key === "overdue") {
        countEl.id = "summary-overdue";
      }
      return h(
        "li",
        { className: "summary-item" + (extraClass ? " " + extraClass : ""), dataset: { summary: key } },
        h("button", { type: "button", "aria-pressed": pressed ? "true" : "false", onclick: onclick }, countEl, h("span", { className: "summary-label" }, label))
      );
    }
    var f = state.filters;
    list.appendChild(
      item("total", s ? s.total : null, t("summary_total"), !f.stage && !f.overdue, function () {
        setFilters({ stage: "", overdue: false });
      })
    );
    STAGES.forEach(function (stage) {
      list.appendChild(
        item(stage, s ? s.byStage[stage] : null, term("stage", stage), f.stage === stage, function () {
          setFilters({ stage: f.stage === stage ? "" : stage });
        })
      );
    });
    list.appendChild(
      item("overdue", s ? s.overdue : null, t("summary_overdue"), f.overdue, function () {
        setFilters({ overdue: !f.overdue });
      }, "is-overdue")
    );
  }

  function deadlineCell(deadline, overdue) {
    if (!deadline) {
      return h("span", { className: "muted" }, t("no_deadline"));
    }
    return [
      h("span", { className: "deadline-date" }, timeEl(deadline.due_on, false)),
      overdue ? h("span", { className: "badge badge-overdue", dataset: { badge: "overdue" } }, t("overdue")) : null,
      h("span", { className: "cell-sub" }, term("deadline", deadline.kind))
    ];
  }

  function renderCases() {
    var body = $("cases-body");
    clear(body);
    var page = state.cases;
    var items = page ? page.items : [];
    var now = Date.now();
    Object.keys(state.highlight).forEach(function (id) {
      if (state.highlight[id] < now) {
        delete state.highlight[id];
      }
    });
    items.forEach(function (item) {
      var name = clientName(item.client);
      var updated = Boolean(state.highlight[item.case_id]);
      var classes = [];
      if (item.overdue) {
        classes.push("is-overdue");
      }
      if (updated) {
        classes.push("is-updated");
      }
      if (item.case_id === state.selectedId) {
        classes.push("is-selected");
      }
      var openButton = h(
        "button",
        {
          type: "button",
          className: "linklike",
          "aria-controls": "case-detail",
          "aria-expanded": item.case_id === state.selectedId ? "true" : "false"
        },
        name
      );
      var row = h(
        "tr",
        {
          className: classes.join(" "),
          dataset: { caseId: item.case_id, stage: item.stage, status: item.status },
          "data-overdue": item.overdue ? "true" : "false",
          "data-updated": updated ? "true" : null,
          "aria-current": item.case_id === state.selectedId ? "true" : null
        },
        h("td", null, openButton, updated ? h("span", { className: "badge badge-updated" }, t("updated")) : null),
        h("td", null, municipalityName(item), h("span", { className: "cell-sub" }, item.municipality_code)),
        h("td", null, h("span", { className: "stage stage-" + item.stage }, term("stage", item.stage))),
        h("td", null, term("status", item.status)),
        h("td", null, deadlineCell(item.next_deadline, item.overdue)),
        h("td", null, timeEl(item.changed_at, true))
      );
      row.addEventListener("click", function (event) {
        openDetail(item.case_id, event.target === openButton);
      });
      body.appendChild(row);
    });
    // Rows stay marked only for this render: the flash plays once.
    items.forEach(function (item) {
      delete state.highlight[item.case_id];
    });

    var total = page ? page.total : 0;
    var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    $("cases-count").textContent = page ? plural("cases_count", total) : "";
    $("cases-empty").hidden = !page || items.length > 0;
    $("pagination").hidden = !page || pages <= 1;
    $("page-info").textContent = t("page_info", { page: state.page, pages: pages });
    $("page-prev").disabled = state.page <= 1;
    $("page-next").disabled = state.page >= pages;
  }

  function dlRow(label, value) {
    return [h("dt", null, label), h("dd", null, value === "" || value === null || value === undefined ? t("not_recorded") : value)];
  }

  function renderDetail() {
    var panel = $("case-detail");
    var body = $("detail-body");
    clear(body);
    if (!state.selectedId || !state.detail) {
      panel.hidden = true;
      panel.removeAttribute("data-case-id");
      return;
    }
    panel.hidden = false;
    panel.setAttribute("data-case-id", state.selectedId);
    if (state.detail.status === "loading") {
      panel.setAttribute("aria-busy", "true");
      body.appendChild(h("p", { className: "muted" }, t("loading_detail")));
      return;
    }
    panel.removeAttribute("aria-busy");
    if (state.detail.status === "error") {
      body.appendChild(h("p", { className: "field-error", role: "alert" }, errorText(state.detail.messages)));
      return;
    }
    var c = state.detail.data;
    var client = c.client;

    body.appendChild(h("h3", null, t("client_heading")));
    var clientList = h("dl", { id: "detail-client" });
    append(clientList, dlRow(t("field_name"), clientName(client)));
    if (client) {
      append(clientList, dlRow(t("field_birth_date"), client.birth_date ? timeEl(client.birth_date, false) : ""));
      append(clientList, dlRow(t("field_nationality"), displayName("region", client.nationality)));
      append(clientList, dlRow(t("field_native_language"), displayName("language", client.native_language)));
      append(
        clientList,
        dlRow(
          t("field_preferred_languages"),
          (client.preferred_languages || [])
            .map(function (code) {
              return displayName("language", code);
            })
            .join(", ")
        )
      );
      append(clientList, dlRow(t("field_residence_basis"), term("basis", client.residence_basis)));
      append(clientList, dlRow(t("field_lead"), term("lead", client.lead)));
    }
    body.appendChild(clientList);

    body.appendChild(h("h3", null, t("case_heading")));
    var caseList = h("dl", { id: "detail-case" });
    append(caseList, dlRow(t("field_municipality"), municipalityName(c) + " (" + c.municipality_code + ")"));
    append(caseList, dlRow(t("field_stage"), term("stage", c.stage)));
    append(caseList, dlRow(t("field_status"), term("status", c.status)));
    append(caseList, dlRow(t("field_deadline"), deadlineCell(c.next_deadline, c.overdue)));
    append(caseList, dlRow(t("field_assignee"), c.assignee || t("not_assigned")));
    append(caseList, dlRow(t("field_changed"), timeEl(c.changed_at, true)));
    append(caseList, dlRow(t("field_reason"), term("reason", c.reason)));
    body.appendChild(caseList);

    body.appendChild(h("h3", null, t("deadlines_heading")));
    var deadlines = c.deadlines || [];
    if (!deadlines.length) {
      body.appendChild(h("p", { className: "empty" }, t("no_deadlines")));
    } else {
      var list = h("ul", { id: "detail-deadlines" });
      deadlines.forEach(function (deadline) {
        var isNext = c.next_deadline && c.next_deadline.kind === deadline.kind && c.next_deadline.due_on === deadline.due_on;
        list.appendChild(
          h(
            "li",
            { dataset: { kind: deadline.kind } },
            term("deadline", deadline.kind) + ": ",
            timeEl(deadline.due_on, false),
            isNext ? " (" + t("next_deadline_marker") + ")" : "",
            isNext && c.overdue ? h("span", { className: "badge badge-overdue", dataset: { badge: "overdue" } }, t("overdue")) : null
          )
        );
      });
      body.appendChild(list);
    }

    body.appendChild(h("h3", null, t("timeline_heading")));
    var timeline = (c.timeline || []).slice().reverse(); // newest first
    if (!timeline.length) {
      body.appendChild(h("p", { className: "empty" }, t("no_timeline")));
    } else {
      var ol = h("ol", { id: "detail-timeline", className: "timeline", reversed: true });
      timeline.forEach(function (entry) {
        ol.appendChild(
          h(
            "li",
            null,
            timeEl(entry.at, true),
            h("br"),
            term("stage", entry.stage) + " – " + term("status", entry.status),
            h("span", { className: "cell-sub" }, term("reason", entry.reason)),
            entry.next_deadline
              ? h("span", { className: "cell-sub" }, term("deadline", entry.next_deadline.kind) + ": ", timeEl(entry.next_deadline.due_on, false))
              : null
          )
        );
      });
      body.appendChild(ol);
    }
  }

  function renderNotifications() {
    var list = $("notifications-list");
    clear(list);
    var items = state.notifications || [];
    items.forEach(function (n) {
      var message = (n.message && (n.message[state.lang] || n.message.en || n.message.fi)) || n.kind;
      list.appendChild(
        h(
          "li",
          { dataset: { notificationId: n.id, kind: n.kind } },
          h("span", { className: "notification-message" }, message),
          h(
            "span",
            { className: "notification-meta" },
            timeEl(n.created_at, true),
            " · " + t("recipient", { role: term("role", n.recipient_role) }) + " · " + t("municipality_code", { code: n.municipality_code })
          ),
          n.case_id
            ? h(
                "button",
                {
                  type: "button",
                  className: "linklike",
                  dataset: { caseId: n.case_id },
                  "aria-controls": "case-detail",
                  onclick: function () {
                    openDetail(n.case_id, true);
                  }
                },
                t("open_case")
              )
            : null
        )
      );
    });
    $("notifications-empty").hidden = state.notifications === null || items.length > 0;
  }

  /** The panel's alert (a refused action, else a failed load) and its quiet status line. */
  function renderPanelMessages(prefix, message, loadError, done) {
    var text = errorText(message) || errorText(loadError);
    $(prefix + "-message").textContent = text;
    $(prefix + "-message").hidden = !text;
    $(prefix + "-done").textContent = done ? t(done.key, done.params) : "";
  }

  function renderNoticeStatusOptions() {
    var select = $("notices-status");
    clear(select);
    select.appendChild(h("option", { value: "" }, t("all_notice_statuses")));
    NOTICE_STATUSES.forEach(function (status) {
      select.appendChild(h("option", { value: status }, term("notice_status", status)));
    });
    select.value = state.noticesStatus;
  }

  function noticeStatusBadge(status) {
    return h("span", { className: "badge notice-status notice-status-" + status }, term("notice_status", status));
  }

  function renderNotices() {
    var body = $("notices-body");
    clear(body);
    var page = state.notices;
    var items = page ? page.items : [];
    items.forEach(function (n) {
      var name = personName(n.recruit);
      var action = null;
      if (n.status === "received") {
        action = h(
          "button",
          {
            type: "button",
            className: "small",
            dataset: { action: "acknowledge" },
            "aria-label": t("acknowledge_label", { name: name }),
            disabled: Boolean(state.noticeBusy[n.id]),
            onclick: function () {
              acknowledgeNotice(n);
            }
          },
          t("acknowledge")
        );
      }
      body.appendChild(
        h(
          "tr",
          { dataset: { noticeId: n.id, status: n.status } },
          h("td", null, h("strong", null, name), h("span", { className: "cell-sub" }, displayName("region", n.recruit.nationality))),
          h("td", null, n.employer.name, h("span", { className: "cell-sub" }, n.employer.business_id)),
          h("td", null, n.employment.job_title),
          h("td", null, h("span", { className: "deadline-date" }, timeEl(n.expected_arrival_on, false))),
          h(
            "td",
            null,
            noticeStatusBadge(n.status),
            n.acknowledged_by ? h("span", { className: "cell-sub" }, t("acknowledged_by", { name: n.acknowledged_by })) : null
          ),
          h("td", null, action)
        )
      );
    });

    var total = page ? page.total : 0;
    var pages = Math.max(1, Math.ceil(total / NOTICES_PAGE_SIZE));
    $("notices-count").textContent = page ? plural("notices_count", total) : "";
    $("notices-empty").hidden = !page || items.length > 0;
    $("notices-pagination").hidden = !page || pages <= 1;
    $("notices-page-info").textContent = t("page_info", { page: state.noticesPage, pages: pages });
    $("notices-prev").disabled = state.noticesPage <= 1;
    $("notices-next").disabled = state.noticesPage >= pages;
    renderPanelMessages("notices", state.noticesMessage, state.noticesLoadError, state.noticesDone);
  }

  /** One side of a review: who the person is, and what else is known of them. */
  function reviewSide(heading, person, extra) {
    var list = h("dl", null);
    append(list, dlRow(t("field_name"), personName(person)));
    append(list, dlRow(t("field_birth_date"), person.birth_date ? timeEl(person.birth_date, false) : ""));
    append(list, dlRow(t("field_nationality"), displayName("region", person.nationality)));
    extra.forEach(function (row) {
      append(list, dlRow(row[0], row[1]));
    });
    return h("div", { className: "review-side" }, h("h4", null, heading), list);
  }

  function reviewItem(kind, review, decisions, left, right, reason) {
    var busy = Boolean(state.reviewBusy[review.id]);
    var titleId = "review-title-" + review.id;
    var meta = t("similarity") + ": " + term("similarity", review.similarity) + (reason ? " · " + term("review_reason", reason) : "");
    return h(
      "li",
      { className: "review", dataset: { reviewId: review.id, kind: kind }, "aria-busy": busy ? "true" : null },
      h("h3", { id: titleId }, t(kind === "match" ? "review_match_title" : "review_duplicate_title")),
      h("p", { className: "muted review-meta" }, meta),
      h("div", { className: "review-compare" }, left, right),
      h(
        "div",
        { className: "review-actions" },
        decisions.map(function (d, i) {
          return h(
            "button",
            {
              type: "button",
              className: i === 0 ? "small" : "small secondary",
              dataset: { decision: d[0] },
              "aria-describedby": titleId,
              disabled: busy,
              onclick: function () {
                resolveReview(kind, review, d[0]);
              }
            },
            t(d[1])
          );
        })
      )
    );
  }

  function renderReviews() {
    var list = $("reviews-list");
    clear(list);
    var r = state.reviews;
    var matches = r ? r.match.items : [];
    var duplicates = r ? r.duplicate.items : [];
    matches.forEach(function (review) {
      list.appendChild(
        reviewItem(
          "match",
          review,
          [["match", "same_person"], ["reject", "different_people"]],
          reviewSide(t("side_notice"), review.recruit, [
            [t("field_employer"), review.employer.name],
            [t("field_arrival"), timeEl(review.expected_arrival_on, false)]
          ]),
          reviewSide(t("side_client"), review.client, [[t("field_registered_on"), timeEl(review.registered_on, false)]]),
          review.reason === "several_candidates" ? review.reason : null // partial_match says what the similarity says
        )
      );
    });
    duplicates.forEach(function (review) {
      function extra(client) {
        return [
          [t("field_registered_on"), timeEl(client.registered_on, false)],
          [t("field_source"), client.source]
        ];
      }
      list.appendChild(
        reviewItem(
          "duplicate",
          review,
          [["same_person", "same_person"], ["different_people", "different_people"]],
          reviewSide(t("side_earlier_client"), review.earlier_client, extra(review.earlier_client)),
          reviewSide(t("side_later_client"), review.client, extra(review.client)),
          null
        )
      );
    });
    var total = r ? r.match.total + r.duplicate.total : 0;
    $("reviews-count").textContent = r ? plural("reviews_count", total) : "";
    $("reviews-empty").hidden = !r || total > 0;
    renderPanelMessages("reviews", state.reviewsMessage, state.reviewsLoadError, state.reviewsDone);
  }

  // --- Actions ----------------------------------------------------------------------------------

  function openDetail(caseId, moveFocus) {
    var same = state.selectedId === caseId && state.detail && state.detail.status === "ok";
    state.selectedId = caseId;
    if (!same) {
      state.detail = { status: "loading" };
    }
    renderDetail();
    markSelectedRow();
    if (moveFocus) {
      $("case-detail").focus();
    }
    loadDetail(caseId);
  }

  function closeDetail() {
    var previous = state.selectedId;
    state.selectedId = null;
    state.detail = null;
    detailRequest++;
    renderDetail();
    markSelectedRow();
    if (previous) {
      var row = document.querySelector('#cases tr[data-case-id="' + cssEscape(previous) + '"] button');
      if (row) {
        row.focus();
      }
    }
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
  }

  function markSelectedRow() {
    Array.prototype.forEach.call(document.querySelectorAll("#cases tbody tr"), function (row) {
      var selected = row.getAttribute("data-case-id") === state.selectedId;
      row.classList.toggle("is-selected", selected);
      if (selected) {
        row.setAttribute("aria-current", "true");
      } else {
        row.removeAttribute("aria-current");
      }
      var button = row.querySelector("button");
      if (button) {
        button.setAttribute("aria-expanded", selected ? "true" : "false");
      }
    });
  }

  function normaliseMunicipality(value) {
    var v = value.trim();
    return /^\d{1,2}$/.test(v) ? ("00" + v).slice(-3) : v;
  }

  function readForm() {
    return {
      stage: $("filter-stage").value,
      municipality: normaliseMunicipality($("filter-municipality").value),
      q: $("filter-q").value.trim(),
      overdue: $("filter-overdue").checked
    };
  }

  function writeForm() {
    $("filter-stage").value = state.filters.stage;
    $("filter-municipality").value = state.filters.municipality;
    $("filter-q").value = state.filters.q;
    $("filter-overdue").checked = state.filters.overdue;
  }

  function setFilters(changes) {
    var next = readForm();
    Object.keys(changes).forEach(function (k) {
      next[k] = changes[k];
    });
    var f = state.filters;
    var changed = f.stage !== next.stage || f.municipality !== next.municipality || f.q !== next.q || f.overdue !== next.overdue;
    state.filters = next;
    writeForm();
    if (changed) {
      state.page = 1;
      loadCases();
      if (f.municipality !== next.municipality) {
        loadSummary(); // the counts follow the municipality filter only
      }
    }
    renderSummary();
  }

  function setLang(lang) {
    if (LANGS.indexOf(lang) < 0) {
      return;
    }
    state.lang = lang;
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (e) {
      /* storage unavailable: the choice lasts for this page only */
    }
    renderAll();
  }

  function initialLang() {
    try {
      var stored = window.localStorage.getItem(STORAGE_KEY);
      if (LANGS.indexOf(stored) >= 0) {
        return stored;
      }
    } catch (e) {
      /* ignore */
    }
    var preferred = [].concat(navigator.languages || [], navigator.language || []);
    for (var i = 0; i < preferred.length; i++) {
      var code = String(preferred[i] || "").toLowerCase().slice(0, 2);
      if (LANGS.indexOf(code) >= 0) {
        return code;
      }
    }
    return DEFAULT_LANG;
  }

  function bind() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
      button.addEventListener("click", function () {
        setLang(button.getAttribute("data-lang"));
      });
    });

    $("filters").addEventListener("submit", function (event) {
      event.preventDefault();
      setFilters({});
    });
    $("filter-stage").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-overdue").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-municipality").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-q").addEventListener(
      "input",
      debounce(function () {
        setFilters({});
      }, 350)
    );
    $("filter-reset").addEventListener("click", function () {
      $("filter-stage").value = "";
      $("filter-municipality").value = "";
      $("filter-q").value = "";
      $("filter-overdue").checked = false;
      setFilters({});
    });

    $("page-prev").addEventListener("click", function () {
      if (state.page > 1) {
        state.page -= 1;
        loadCases();
      }
    });
    $("page-next").addEventListener("click", function () {
      state.page += 1;
      loadCases();
    });

    $("notices-status").addEventListener("change", function () {
      state.noticesStatus = $("notices-status").value;
      state.noticesPage = 1;
      loadNotices();
    });
    $("notices-prev").addEventListener("click", function () {
      if (state.noticesPage > 1) {
        state.noticesPage -= 1;
        loadNotices();
      }
    });
    $("notices-next").addEventListener("click", function () {
      state.noticesPage += 1;
      loadNotices();
    });
    $("notices-refresh").addEventListener("click", function () {
      state.noticesMessage = null;
      state.noticesDone = null;
      loadNotices();
    });
    $("reviews-refresh").addEventListener("click", function () {
      state.reviewsMessage = null;
      state.reviewsDone = null;
      loadReviews();
    });

    $("detail-close").addEventListener("click", closeDetail);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && state.selectedId && $("case-detail").contains(document.activeElement)) {
        closeDetail();
      }
    });

    $("signout-form").addEventListener("submit", function () {
      stopStream(); // the form posts normally; the server clears the cookie and redirects to /
    });
    $("signin-form").addEventListener("submit", function (event) {
      if (!$("token").value.trim()) {
        event.preventDefault();
        $("token").focus();
      }
    });

    window.addEventListener("pagehide", stopStream);
  }

  function start() {
    state.lang = initialLang();
    var params = new URLSearchParams(window.location.search);
    if (params.get("error") === "token") {
      state.signinError = { key: "token_invalid" };
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname);
      }
    }
    bind();
    renderAll();
    loadCases();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
