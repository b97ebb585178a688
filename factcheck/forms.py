"""Every form of the workspace, by the page that shows it. Forms read and check what a person typed; the services
decide what it means."""

from __future__ import annotations

from django import forms

from factcheck.models import Evidence, Source, Verdict
from factcheck.services import uploads

# --- Uploads and batch imports ------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _http_url(value: str) -> str:
    value = value.strip()
    if value and not value.lower().startswith(("http://", "https://")):
        raise forms.ValidationError("Enter a web address starting with http:// or https://.")
    return value


class SourceFields(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Source.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Publisher",
        empty_label="Match by the article's web address",
    )
    new_source = forms.CharField(required=False, max_length=200, label="Or add a new publisher")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("new_source", "").strip():
            raise forms.ValidationError("Pick a publisher or name a new one, not both.")
        return cleaned

    def source_choice(self) -> uploads.SourceChoice | None:
        source, new_name = self.cleaned_data.get("source"), self.cleaned_data.get("new_source", "").strip()
        return uploads.SourceChoice(source=source, new_name=new_name) if source or new_name else None


class UploadForm(SourceFields):
    files = MultipleFileField(required=False, label="Files",
                              help_text="One or more .txt, .md, .html, .docx or .pdf files.")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Or paste the text",
                           max_length=2_000_000)
    url = forms.CharField(required=False, max_length=2000, label="Or fetch a web page",
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    title = forms.CharField(required=False, max_length=500, label="Title",
                            help_text="Leave empty to use the title found in the document.")
    byline = forms.CharField(required=False, max_length=500, label="Byline")
    published_at = forms.DateTimeField(required=False, label="Published",
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                                                      "%Y-%m-%d"])
    article_url = forms.CharField(required=False, max_length=2000, label="Article's web address",
                                  widget=forms.URLInput(attrs={"placeholder": "https://"}))

    field_order = ("files", "text", "url", "title", "byline", "published_at", "article_url", "source",
                   "new_source")

    def clean_url(self) -> str:
        return self.cleaned_data["url"].strip()

    def clean_article_url(self) -> str:
        return _http_url(self.cleaned_data["article_url"])

    def clean(self):
        cleaned = super().clean()
        given = [bool(cleaned.get("files")), bool((cleaned.get("text") or "").strip()), bool(cleaned.get("url"))]
        if sum(given) == 0 and not self.errors:
            raise forms.ValidationError("Choose a file, paste the text, or enter a web address.")
        if sum(given) > 1:
            raise forms.ValidationError("Upload files, paste text or enter a web address: one at a time.")
        return cleaned

    def has_metadata(self) -> bool:
        c = self.cleaned_data
        return any([c.get("title", "").strip(), c.get("byline", "").strip(), c.get("published_at"),
                    c.get("article_url", "")])

    def metadata(self) -> uploads.ArticleMetadata:
        c = self.cleaned_data
        return uploads.ArticleMetadata(title=c.get("title", "").strip(), byline=c.get("byline", "").strip(),
                                       published_at=c.get("published_at"), url=c.get("article_url", ""))


class BatchUploadForm(SourceFields):
    files = MultipleFileField(required=True, label="Files",
                              help_text="A .zip of documents, a .jsonl or .csv file (one article per row), "
                                        "or an RSS/Atom feed file.")

    field_order = ("files", "source", "new_source")


# --- Imports of published fact-checks -----------------------------------------------------------------------------


class FactCheckImportForm(forms.Form):
    file = forms.FileField(required=False, label="File",
                           help_text="ClaimReview JSON (one object, a list, an @graph or a DataFeed), JSON lines, "
                                     "or an HTML page with ClaimReview JSON-LD.")
    url = forms.CharField(required=False, max_length=2000, label="Or fetch a web address",
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))

    def clean_url(self) -> str:
        return _http_url(self.cleaned_data["url"])

    def clean(self):
        cleaned = super().clean()
        given = [bool(cleaned.get("file")), bool(cleaned.get("url"))]
        if not any(given) and not self.errors:
            raise forms.ValidationError("Choose a file or enter a web address.")
        if all(given):
            raise forms.ValidationError("Upload a file or enter a web address, not both.")
        return cleaned


# --- An article's details -----------------------------------------------------------------------------------------


class ArticleDetailsForm(forms.Form):
    title = forms.CharField(max_length=500)
    byline = forms.CharField(max_length=500, required=False)
    url = forms.URLField(max_length=2000, required=False, assume_scheme="https", label="Web address")
    published_at = forms.DateTimeField(required=False, label="Published", help_text="e.g. 2026-01-31 14:00")
    source = forms.ModelChoiceField(queryset=Source.objects.none(), required=False, label="Publisher",
                                    empty_label="Unknown publisher")
    new_source = forms.CharField(max_length=200, required=False, label="Or a new publisher")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(is_active=True).only("pk", "name")


# --- The claim panel ----------------------------------------------------------------------------------------------


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    rationale = forms.CharField(required=False, max_length=10_000)
    version = forms.IntegerField(min_value=1)
    correction_note = forms.CharField(required=False, max_length=10_000)


class EvidenceForm(forms.Form):
    url = forms.CharField(max_length=2000)
    stance = forms.ChoiceField(choices=Evidence.Stance.choices)
    passage = forms.CharField(required=False, max_length=10_000)
    note = forms.CharField(required=False, max_length=10_000)


# --- Stories, clusters and contradictions -------------------------------------------------------------------------


class ClusterVerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    rationale = forms.CharField(required=False, max_length=10_000)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=10_000)


class MergeForm(forms.Form):
    other = forms.IntegerField(min_value=1)


class ArticleStoryForm(forms.Form):
    story = forms.IntegerField(min_value=1, required=False)


class RenameForm(forms.Form):
    title = forms.CharField(max_length=500)


# --- Claims a person adds or corrects -----------------------------------------------------------------------------


# Versions and offsets are PostgreSQL integers: anything larger is a bad form, not a database error.
MAX_INT = 2_147_483_647


class SpanForm(forms.Form):
    start = forms.IntegerField(min_value=0, max_value=MAX_INT)
    end = forms.IntegerField(min_value=1, max_value=MAX_INT)
    text = forms.CharField(required=False, strip=False, max_length=20_000)


class ChangeSpanForm(SpanForm):
    version = forms.IntegerField(min_value=1, max_value=MAX_INT)


class SplitForm(forms.Form):
    at = forms.IntegerField(min_value=1, max_value=MAX_INT)
    version = forms.IntegerField(min_value=1, max_value=MAX_INT)


class UndoForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_INT)


# --- Reports ------------------------------------------------------------------------------------------------------


class ReportCreateForm(forms.Form):
    article = forms.IntegerField(min_value=1, required=False)
    story = forms.IntegerField(min_value=1, required=False)


class ReportEditForm(forms.Form):
    title = forms.CharField(max_length=500)
    summary = forms.CharField(required=False, max_length=20_000, label="Introduction (optional)",
                              widget=forms.Textarea(attrs={"rows": 3}))
