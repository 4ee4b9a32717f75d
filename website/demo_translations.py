"""The demo's public pages in Danish and Serbian (Latin script): every page the English demo has.

Keyed by the English page's slug ("" is the home page); each entry holds the fields that differ from the
English copy. Fictional throughout, like the English demo.
"""


def _text(html):
    return {"type": "text", "value": html}


def _callout(tone, heading, html):
    return {"type": "callout", "value": {"tone": tone, "heading": heading, "text": html}}


def _faq(heading, pairs):
    return {
        "type": "faq",
        "value": {"heading": heading, "questions": [{"question": q, "answer": a} for q, a in pairs]},
    }


def _contact(heading, hours, note=""):
    return {
        "type": "contact",
        "value": {
            "heading": heading,
            "phone": "+381 21 555 0147",
            "email": "podrska@example.org",
            "hours": hours,
            "note": note,
        },
    }


DA_SAFETY = _callout(
    "safety",
    "Hvis du er i fare nu",
    "<p>Ring til politiet på 112. Hvis nogen tjekker din telefon, så brug knappen “Forlad siden” øverst.</p>",
)
SR_SAFETY = _callout(
    "safety",
    "Ako ste sada u opasnosti",
    "<p>Pozovite policiju na 112. Ako neko proverava vaš telefon, koristite dugme „Napusti sajt” na vrhu stranice.</p>",
)
DA_HOURS = "man-fre 9.00-17.00"
SR_HOURS = "pon-pet 9:00-17:00"

TRANSLATIONS = {
    "da": {
        "": {
            "title": "Haven",
            "introduction": "Støtte, rådgivning og uddannelse til kvinder, der har overlevet vold, og til de fagfolk, "
            "der arbejder med dem.",
            "body": "<p>Alt, hvad vi tilbyder, er gratis og fortroligt. Du bestemmer, hvad du fortæller os, og hvad "
            "der sker bagefter.</p>",
        },
        "case-based-counseling": {
            "title": "Sagsbaseret rådgivning",
            "introduction": "En rådgiver, der er uddannet i arbejdet med voldsudsatte, følger dig over tid: vi "
            "vurderer risici sammen, lægger en sikkerhedsplan og bringer dig i kontakt med de tilbud, du har brug for.",
            "body": [
                _text(
                    "<h2>Sådan foregår det</h2><p>Ved første møde lytter vi og spørger, hvad du har brug for. Sammen "
                    "skriver vi en sikkerhedsplan og de skridt, du vil tage: bolig, juridisk hjælp, sundhed, "
                    "arbejde. Din rådgiver holder styr på hvert skridt og mødes med dig så ofte, som du har brug for."
                    "</p>"
                ),
                DA_SAFETY,
                _faq(
                    "Spørgsmål, kvinder ofte stiller",
                    [
                        (
                            "Skal jeg oplyse mit rigtige navn?",
                            "<p>Nej. Et dæknavn er nok. Vi skriver aldrig din adresse i vores journaler.</p>",
                        ),
                        (
                            "Fortæller I det til politiet eller kommunen?",
                            "<p>Kun hvis du beder os om det, eller hvis et barn er i fare. Vi siger det altid til dig "
                            "først.</p>",
                        ),
                        ("Koster det noget?", "<p>Nej. Alle vores tilbud er gratis.</p>"),
                    ],
                ),
                _contact("Book en første samtale", DA_HOURS, "Du kan også komme uden aftale om tirsdagen fra 10.00."),
            ],
        },
        "self-support-groups": {
            "title": "Selvhjælpsgrupper",
            "introduction": "Små grupper af kvinder, der har levet med partnervold, mødes hver uge med to uddannede "
            "gruppeledere, tolv gange i alt.",
            "body": [
                _text(
                    "<h2>Hvad sker der i en gruppe</h2><p>Hver gruppe har op til tolv deltagere og mødes på samme "
                    "tidspunkt hver uge. Du deler kun det, du selv vil dele. Mange kvinder siger, at gruppen var det "
                    "første sted, hvor de følte sig troet på.</p>"
                ),
                _callout("info", "Børn er velkomne", "<p>Der er børnepasning i lokalet ved siden af hver gang.</p>"),
                _faq(
                    "Før du begynder",
                    [
                        (
                            "Kan jeg begynde midt i forløbet?",
                            "<p>Grupperne lukker efter anden gang, men der starter en ny gruppe med få måneders "
                            "mellemrum.</p>",
                        ),
                        (
                            "Hvem får at vide, at jeg er i en gruppe?",
                            "<p>Kun gruppelederne og de andre deltagere, som lover at holde alt, hvad der bliver "
                            "sagt, fortroligt.</p>",
                        ),
                    ],
                ),
                _contact("Spørg om den næste gruppe", DA_HOURS),
            ],
        },
        "aftercare": {
            "title": "Efterværn",
            "introduction": "Efter et ophold på krisecenter eller når rådgivningen slutter, holder vi kontakten, så "
            "længe du ønsker: samtaler, hjælp med papirer og et sted at vende tilbage til.",
            "body": [
                _text(
                    "<h2>Støtte efter krisen</h2><p>Månederne efter bruddet er ofte de sværeste. Efterværnssamtaler "
                    "hjælper dig med at holde sikkerhedsplanen opdateret, forberede dig til retsmøder og falde til i "
                    "et nyt hjem.</p>"
                ),
                _callout(
                    "important",
                    "Retsmøder",
                    "<p>Vi kan gå med dig til retsmøder, hvis du spørger os en uge før.</p>",
                ),
                _contact("Tal med efterværnsteamet", DA_HOURS),
            ],
        },
        "coordinating-counseling": {
            "title": "Koordinerende rådgivning",
            "introduction": "For fagfolk: vi samler politi, kommune, sundhedsvæsen og organisationer om én kvindes "
            "situation, med hendes samtykke, så ingen arbejder alene.",
            "body": [
                _text(
                    "<h2>Sagskonferencer</h2><p>Når en kvinde siger ja, inviterer vi de involverede instanser til en "
                    "sagskonference. Alle går derfra med klare opgaver og en dato for opfølgning. Hendes sikkerhed "
                    "kommer først: intet deles uden hendes skriftlige samtykke.</p>"
                ),
                _faq(
                    "For samarbejdspartnere",
                    [
                        (
                            "Hvordan henviser vi en kvinde?",
                            "<p>Ring til os med hendes accept. Vi behøver kun hendes fornavn eller et dæknavn for at "
                            "begynde.</p>",
                        ),
                        (
                            "Tilbyder I kurser?",
                            "<p>Ja: se vores katalog over akkrediterede kurser for fagfolk.</p>",
                        ),
                    ],
                ),
                _contact("Koordineringsskranken", DA_HOURS),
            ],
        },
        "projects": {
            "title": "Projekter",
            "introduction": "Vores arbejde er finansieret af donorer, der deler vores mål. Disse projekter kører nu.",
        },
        "safe-at-home": {
            "title": "Tryg derhjemme: en samordnet indsats mod partnervold i Vojvodina",
            "summary": "Vi bygger en samordnet lokal indsats, så en kvinde, der beder om hjælp, møder tilbud, der "
            "kender hinanden og handler sammen.",
            "partners": "Center for socialt arbejde, Novi Sad\nCenter for socialt arbejde, Zrenjanin\n"
            "Kvindernes retshjælpsnetværk",
            "target_groups": "Kvinder, der har overlevet partnervold\nSocialrådgivere, politifolk og sundhedspersonale",
            "activities": "<ul><li>Seks forløb med selvhjælpsgrupper i Novi Sad og Zrenjanin</li><li>Sagsbaseret "
            "rådgivning for 120 kvinder</li><li>Fire akkrediterede kurser for 80 fagfolk</li><li>Månedlige "
            "sagskonferencer i to kommuner</li></ul>",
        },
        "after-the-shelter": {
            "title": "Efter krisecentret: efterværn og økonomisk selvstændighed",
            "summary": "Efterværnssamtaler og hjælp til bolig- og jobansøgninger for kvinder, der forlader "
            "krisecentre.",
            "partners": "Krisecentret Novi Sad\nJobcentret Novi Sad",
            "target_groups": "Kvinder, der forlader krisecentre, og deres børn",
            "activities": "<ul><li>Efterværnssamtaler for 60 kvinder</li><li>Workshops om at komme i job</li>"
            "<li>Juridisk ledsagelse til retsmøder</li></ul>",
        },
        "news": {"title": "Nyheder", "introduction": "Nyt fra centret og vores projekter."},
        "new-group-cycle-spring": {
            "title": "En ny selvhjælpsgruppe starter i marts",
            "introduction": "Tilmeldingen er åben til forårets gruppe i Novi Sad. Der er børnepasning.",
            "body": [
                _text(
                    "<p>Tilmeldingen er åben til forårets gruppe i Novi Sad. Der er børnepasning.</p><p>Skriv eller "
                    "ring til os, hvis du har spørgsmål.</p>"
                )
            ],
        },
        "training-accredited": {
            "title": "Vores kursus for socialrådgivere er akkrediteret igen",
            "introduction": "Kurset i risikovurdering i sager om partnervold beholder sin akkreditering i tre år mere.",
            "body": [
                _text(
                    "<p>Kurset i risikovurdering i sager om partnervold beholder sin akkreditering i tre år mere.</p>"
                    "<p>Skriv eller ring til os, hvis du har spørgsmål.</p>"
                )
            ],
        },
        "sixteen-days": {
            "title": "16 dages aktivisme: det gjorde vi",
            "introduction": "Gadeaktioner i Novi Sad og Zrenjanin, et rundbordsmøde med politiet og en ny folder på "
            "tre sprog.",
            "body": [
                _text(
                    "<p>Gadeaktioner i Novi Sad og Zrenjanin, et rundbordsmøde med politiet og en ny folder på tre "
                    "sprog.</p><p>Skriv eller ring til os, hvis du har spørgsmål.</p>"
                )
            ],
        },
        "contact": {
            "title": "Kontakt",
            "introduction": "Ring, skriv eller kom forbi. Du behøver ikke oplyse dit navn.",
            "opening_hours": "Mandag til fredag 9.00-17.00\nTirsdag 10.00-13.00 uden aftale",
            "body": [DA_SAFETY],
        },
    },
    "sr-latn": {
        "": {
            "title": "Haven",
            "introduction": "Podrška, savetovanje i obuke za žene koje su preživele nasilje i za stručnjake koji sa "
            "njima rade.",
            "body": "<p>Sve što nudimo je besplatno i poverljivo. Vi odlučujete šta ćete nam reći i šta će se dalje "
            "dešavati.</p>",
        },
        "case-based-counseling": {
            "title": "Savetovanje po modelu vođenja slučaja",
            "introduction": "Savetnica obučena za rad sa ženama koje su preživele nasilje prati vas tokom vremena: "
            "zajedno procenjujemo rizike, pravimo plan bezbednosti i povezujemo vas sa službama koje su vam potrebne.",
            "body": [
                _text(
                    "<h2>Kako to izgleda</h2><p>Na prvom susretu slušamo i pitamo šta vam je potrebno. Zajedno "
                    "zapisujemo plan bezbednosti i korake koje želite da preduzmete: smeštaj, pravna pomoć, zdravlje, "
                    "posao. Vaša savetnica prati svaki korak i sastaje se sa vama koliko god često vam je potrebno.</p>"
                ),
                SR_SAFETY,
                _faq(
                    "Pitanja koja žene često postavljaju",
                    [
                        (
                            "Da li moram da dam pravo ime?",
                            "<p>Ne. Dovoljan je pseudonim. Vašu adresu nikada ne upisujemo u evidenciju.</p>",
                        ),
                        (
                            "Da li ćete obavestiti policiju ili centar za socijalni rad?",
                            "<p>Samo ako nas vi to zamolite ili ako je dete u opasnosti. Uvek ćemo vam prvo reći.</p>",
                        ),
                        ("Da li se plaća?", "<p>Ne. Sve naše usluge su besplatne.</p>"),
                    ],
                ),
                _contact("Zakažite prvi razgovor", SR_HOURS, "Možete doći i bez zakazivanja utorkom od 10:00."),
            ],
        },
        "self-support-groups": {
            "title": "Grupe samopodrške",
            "introduction": "Male grupe žena koje su preživele partnersko nasilje sastaju se svake nedelje sa dve "
            "obučene voditeljke, dvanaest puta.",
            "body": [
                _text(
                    "<h2>Šta se dešava u grupi</h2><p>Svaka grupa ima do dvanaest članica i sastaje se u isto vreme "
                    "svake nedelje. Delite samo ono što želite. Mnoge žene kažu da je grupa bila prvo mesto gde im je "
                    "neko poverovao.</p>"
                ),
                _callout(
                    "info",
                    "Deca su dobrodošla",
                    "<p>Tokom svakog susreta obezbeđeno je čuvanje dece u susednoj prostoriji.</p>",
                ),
                _faq(
                    "Pre nego što se priključite",
                    [
                        (
                            "Mogu li da se priključim usred ciklusa?",
                            "<p>Grupe se zatvaraju posle drugog susreta, ali nova grupa počinje na svakih nekoliko "
                            "meseci.</p>",
                        ),
                        (
                            "Ko će znati da sam u grupi?",
                            "<p>Samo voditeljke i ostale članice, koje se obavezuju da sve rečeno u grupi ostane "
                            "poverljivo.</p>",
                        ),
                    ],
                ),
                _contact("Pitajte za sledeću grupu", SR_HOURS),
            ],
        },
        "aftercare": {
            "title": "Podrška nakon izlaska",
            "introduction": "Posle boravka u sigurnoj kući ili završetka savetovanja ostajemo u kontaktu koliko god "
            "želite: razgovori, pomoć oko papira i mesto kome se možete vratiti.",
            "body": [
                _text(
                    "<h2>Podrška posle krize</h2><p>Meseci posle odlaska često su najteži. Razgovori podrške pomažu "
                    "vam da plan bezbednosti bude ažuran, da se pripremite za ročišta i da se smestite u novi dom.</p>"
                ),
                _callout(
                    "important",
                    "Ročišta",
                    "<p>Možemo da pođemo sa vama na ročište ako nam javite nedelju dana ranije.</p>",
                ),
                _contact("Razgovarajte sa timom za podršku", SR_HOURS),
            ],
        },
        "coordinating-counseling": {
            "title": "Koordinisano savetovanje",
            "introduction": "Za stručnjake: okupljamo policiju, centre za socijalni rad, zdravstvo i organizacije oko "
            "situacije jedne žene, uz njen pristanak, da niko ne radi sam.",
            "body": [
                _text(
                    "<h2>Konferencije slučaja</h2><p>Kada žena pristane, pozivamo uključene službe na konferenciju "
                    "slučaja. Svi odlaze sa jasnim zadacima i datumom provere. Njena bezbednost je na prvom mestu: "
                    "ništa se ne deli bez njenog pisanog pristanka.</p>"
                ),
                _faq(
                    "Za partnerske organizacije",
                    [
                        (
                            "Kako da uputimo ženu?",
                            "<p>Pozovite nas uz njen pristanak. Za početak nam je potrebno samo njeno ime ili "
                            "pseudonim.</p>",
                        ),
                        (
                            "Da li nudite obuke?",
                            "<p>Da: pogledajte naš katalog akreditovanih obuka za stručnjake.</p>",
                        ),
                    ],
                ),
                _contact("Služba za koordinaciju", SR_HOURS),
            ],
        },
        "projects": {
            "title": "Projekti",
            "introduction": "Naš rad finansiraju donatori koji dele naše ciljeve. Ovo su projekti koji su u toku.",
        },
        "safe-at-home": {
            "title": "Bezbedno kod kuće: koordinisani odgovor na partnersko nasilje u Vojvodini",
            "summary": "Gradimo koordinisani lokalni odgovor, tako da žena koja traži pomoć nailazi na službe koje "
            "se poznaju i deluju zajedno.",
            "partners": "Centar za socijalni rad Novi Sad\nCentar za socijalni rad Zrenjanin\n"
            "Mreža pravne pomoći ženama",
            "target_groups": "Žene koje su preživele partnersko nasilje\nSocijalni radnici, policija i zdravstveni "
            "radnici",
            "activities": "<ul><li>Šest ciklusa grupa samopodrške u Novom Sadu i Zrenjaninu</li><li>Savetovanje po "
            "modelu vođenja slučaja za 120 žena</li><li>Četiri akreditovane obuke za 80 stručnjaka</li><li>Mesečne "
            "konferencije slučaja u dve opštine</li></ul>",
        },
        "after-the-shelter": {
            "title": "Posle sigurne kuće: podrška i ekonomska samostalnost",
            "summary": "Razgovori podrške i pomoć oko stanovanja i prijava za posao za žene koje izlaze iz sigurnih "
            "kuća.",
            "partners": "Sigurna kuća Novi Sad\nNacionalna služba za zapošljavanje, filijala Novi Sad",
            "target_groups": "Žene koje izlaze iz sigurnih kuća i njihova deca",
            "activities": "<ul><li>Razgovori podrške za 60 žena</li><li>Radionice pripreme za posao</li>"
            "<li>Pravna pratnja na ročišta</li></ul>",
        },
        "news": {"title": "Vesti", "introduction": "Šta je novo u centru i u našim projektima."},
        "new-group-cycle-spring": {
            "title": "Nova grupa samopodrške počinje u martu",
            "introduction": "Prijave su otvorene za prolećnu grupu u Novom Sadu. Čuvanje dece je obezbeđeno.",
            "body": [
                _text(
                    "<p>Prijave su otvorene za prolećnu grupu u Novom Sadu. Čuvanje dece je obezbeđeno.</p>"
                    "<p>Pišite nam ili nas pozovite ako imate pitanja.</p>"
                )
            ],
        },
        "training-accredited": {
            "title": "Naša obuka za socijalne radnike ponovo je akreditovana",
            "introduction": "Obuka o proceni rizika u slučajevima partnerskog nasilja zadržava akreditaciju još tri "
            "godine.",
            "body": [
                _text(
                    "<p>Obuka o proceni rizika u slučajevima partnerskog nasilja zadržava akreditaciju još tri "
                    "godine.</p><p>Pišite nam ili nas pozovite ako imate pitanja.</p>"
                )
            ],
        },
        "sixteen-days": {
            "title": "16 dana aktivizma: šta smo uradile",
            "introduction": "Ulične akcije u Novom Sadu i Zrenjaninu, okrugli sto sa policijom i novi letak na tri "
            "jezika.",
            "body": [
                _text(
                    "<p>Ulične akcije u Novom Sadu i Zrenjaninu, okrugli sto sa policijom i novi letak na tri jezika."
                    "</p><p>Pišite nam ili nas pozovite ako imate pitanja.</p>"
                )
            ],
        },
        "contact": {
            "title": "Kontakt",
            "introduction": "Pozovite, pišite ili svratite. Ne morate da kažete svoje ime.",
            "opening_hours": "Ponedeljak–petak, 9:00–17:00\nUtorkom 10:00–13:00 bez zakazivanja",
            "body": [SR_SAFETY],
        },
    },
}
