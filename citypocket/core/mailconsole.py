"""The laptop-mode mail backend: each e-mail printed as a person reads it.

Django's console backend prints the raw MIME message: a French body comes out quoted-printable
("tr=C3=A8s"), and a long confirmation link is cut by soft line breaks ("https://=") so that it
cannot be clicked or copied. This backend prints the same message decoded: its addressing headers,
then its plain-text body whole, then what else it carries (an HTML version, attachments).
"""

from django.core.mail.backends.console import EmailBackend

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "List-Unsubscribe")
RULE = "-" * 79


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        mime = message.message()
        lines = [f"{name}: {mime[name]}" for name in HEADERS if mime[name]]
        bodies, others = [], []
        for part in mime.walk():
            if part.is_multipart():
                continue
            if part.get_content_type() == "text/plain" and not part.get_filename():
                bodies.append(part.get_content())
            else:
                others.append(part.get_filename() or part.get_content_type())
        lines += ["", *(body.rstrip("\n") for body in bodies)]
        if others:
            lines += ["", "(also: " + ", ".join(others) + ")"]
        self.stream.write("\n".join(lines) + "\n" + RULE + "\n")
