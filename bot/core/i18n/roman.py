"""Roman Urdu: the bot's texts in Urdu written with Latin letters, as people type it."""

from __future__ import annotations

from bot.core.i18n.keys import Texts

TEXTS = Texts(
    language_name="Roman Urdu",
    start=(
        "Assalam-o-Alaikum! Main <b>Pakistan ke IT sector</b> ke baare mein sawalon ke jawab "
        "sourced figures ke saath deta hoon, aur har jawab ke saath uska source bhi batata "
        "hoon.\n\n"
        "In topics par baat kar sakta hoon: {topics}.\n\n"
        "Yeh pooch kar dekhein:\n{examples}\n\n"
        "Aap Roman Urdu, اردو ya English mein pooch sakte hain. Jawab ki zabaan /language se "
        "chunein; baqi features /help mein hain."
    ),
    examples=("Pakistan mein kitne freelancers hain?", "FY25 mein IT exports kitni thi?",
              "IT exports barhne ki wajah kya hai?"),
    help=(
        "<b>Sawal kaise poochein</b>\n"
        "• Is chat mein bas apna sawal likh dein.\n"
        "• Group mein: <code>/ask aap ka sawal</code> likhein, mujhe mention karein ya mere "
        "message ka reply karein.\n"
        "• Kisi bhi chat mein: mera @username aur chand alfaaz likhein, jawab wahin mil "
        "jayenge.\n\n"
        "<b>Commands</b>\n"
        "/ask &lt;sawal&gt; — sawal ka jawab\n"
        "/topics — topics dekhein\n"
        "/fact — koi ek sourced fact\n"
        "/source &lt;id&gt; — kisi jawab ka poora hawala\n"
        "/subscribe, /unsubscribe — is chat mein rozana ek fact (group admins)\n"
        "/language — jawab ki zabaan: Roman Urdu, اردو ya English\n"
        "/about — mere jawab kahan se aate hain"
    ),
    about_title="pkitbot ke baare mein",
    about_column="Meri maloomat is akhbari column se jama ki gayi hain:",
    about_primary="aur woh bunyadi sources jin ka column hawala deta hai:",
    about_credit=("Figures bilkul waise hi diye gaye hain jaise column mein hain; khulasay hamare "
                  "apne alfaaz mein hain. Reporting ka credit column likhne wale ko jata hai."),
    sector="Pakistan ka IT sector",
    source_label="Source",
    primary_source="bunyadi source",
    figure_label="Figure",
    also_reported="Isi muddat ke liye yeh bhi bataya gaya:",
    other_periods="Doosri muddaton ke figures:",
    untranslated="(Is jawab ka Roman Urdu tarjuma abhi tayyar nahi, is liye English mein hai.)",
    sources_heading="Sources",
    fact_heading="📅 Aaj ka fact",
    refuse_default="Is sawal ka sourced jawab abhi mere paas nahi hai.",
    refuse_out_of_scope=("Mere paas sirf Pakistan ke IT sector ke sourced figures hain, is liye "
                         "is baare mein mere paas koi jawab nahi."),
    refuse_no_period="Us muddat ka koi sourced figure mere paas nahi hai.",
    refuse_no_figure_kind="Mere sources yeh number nahi batate, is liye iska sourced jawab nahi hai.",
    refuse_unknown_name="{name} ke baare mein abhi mere paas koi sourced jawab nahi.",
    refuse_narrower=("Mere sources us khaas group ya jagah ka alag figure nahi dete, is liye "
                     "iska sourced jawab nahi hai."),
    refuse_leader="Mere sources sirf Pakistan ki ranking batate hain, doosre mulkon ki nahi.",
    ask_me_about="Aap mujh se in ke baare mein pooch sakte hain: {topics}.",
    empty_question=("Meharbani karke Pakistan ke IT sector ke baare mein koi sawal poochein, "
                    "maslan: Pakistan mein kitne freelancers hain?"),
    did_you_mean="Kya aap ka matlab yeh tha:",
    greeting=("Hello! 👋 Main Pakistan ke IT sector ke baare mein sawalon ke jawab unke source "
              "ke saath deta hoon. Pooch kar dekhein: Pakistan mein kitne freelancers hain?"),
    greeting_salam=("Wa alaikum assalam! 👋 Main Pakistan ke IT sector ke baare mein sawalon ke "
                    "jawab unke source ke saath deta hoon. Pooch kar dekhein: Pakistan mein "
                    "kitne freelancers hain?"),
    thanks="Aap ka bhi shukriya! Pakistan ke IT sector ke baare mein kuch aur poochna ho to zaroor poochein.",
    goodbye="Khuda hafiz! Jab chahein Pakistan ke IT sector ke baare mein pooch lein.",
    button_sources="📚 Sources",
    button_share="↗️ Share karein",
    button_voted="🙏 Raaye ka shukriya",
    button_open="pkitbot se chat mein poochein",
    vote_thanks="Aap ki raaye ka shukriya!",
    vote_again="Aap is jawab par pehle hi raaye de chuke hain. Shukriya!",
    stale_button="Yeh button purana ho chuka hai. Meharbani karke apna sawal dobara poochein.",
    topics_prompt="Koi topic chunein:",
    topic_questions="<b>{topic}</b>: koi sawal chunein",
    flood_notice=("Is chat mein ek saath bohat sawal aa rahe hain; main thora waqfa le kar ek "
                  "minute baad phir jawab doonga."),
    user_notice="Aap bohat tezi se pooch rahe hain. Meharbani karke ek minute ruk kar dobara poochein.",
    busy_notice=("Main abhi aap ke pichhle messages ka jawab de raha hoon. Jab main farigh ho "
                 "jaun to baqi messages dobara bhej dein."),
    ask_needs_question=("Command ke baad apna sawal likhein, maslan: "
                        "<code>/ask Pakistan mein kitne freelancers hain?</code>"),
    too_long="Yeh sawal bohat lamba hai ({length} huroof). Meharbani karke {limit} se kam rakhein.",
    kb_empty="Is waqt maloomat ka zakhira khali hai.",
    unknown_command="Main {command} command nahi janta. Meri features dekhne ke liye /help bhejein.",
    not_text=("Main sirf likhe hue sawal parh sakta hoon. Apna sawal likhein, maslan "
              "<i>Pakistan mein kitne freelancers hain?</i>"),
    group_yes=("Ji? Pakistan ke IT sector ke baare mein poochein, maslan "
               "<i>Pakistan mein kitne freelancers hain?</i>"),
    source_which=("Kaun sa entry? <code>/source &lt;id&gt;</code> bhejein, ya kisi jawab ke "
                  "neeche 📚 Sources dabayein."),
    source_none="Mere paas <code>{id}</code> naam ki koi entry nahi. Topics ke liye /topics bhejein.",
    language_prompt="Main kis zabaan mein jawab doon?",
    language_set="Theek hai: ab main {language} mein jawab doonga.",
    language_auto="Theek hai: aap jis zabaan mein likhenge, main usi mein jawab doonga.",
    description=("Main Pakistan ke IT sector (IT exports, freelancers, startups aur aage ka "
                 "raasta) ke baare mein sawalon ke jawab sourced figures ke saath Roman Urdu, "
                 "اردو ya English mein deta hoon. Har jawab ke saath uska source hota hai."),
    short_description="Pakistan ke IT sector par sourced jawab, Roman Urdu, اردو aur English mein.",
    cmd_help="Sawal kaise poochein",
    cmd_about="Jawab kahan se aate hain",
    cmd_topics="Topics dekhein",
    cmd_fact="Koi ek sourced fact",
    cmd_source="Kisi jawab ka poora hawala",
    cmd_ask="Pakistan ke IT sector ke baare mein sawal",
    cmd_subscribe="Is chat mein rozana ek fact",
    cmd_unsubscribe="Rozana fact band karein",
    cmd_language="Jawab ki zabaan: Roman Urdu, اردو, English",
)
