"""Signals and their cards in the admin: regional coordinators keep the signals, coordinators their places' cards.

Every permission is a rule of signals/rules.py asked with the row, so a coalition coordinator sees and edits the
cards of their own coalition and its municipalities only, and is refused another one with the reason.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from coalition.admin import LabelledTabularInline
from coalition.roles import is_coordinator
from members.models import Municipality, Offering, Profile
from network.admin import OwnCoalitionsOnly, ProfileChoiceField, RulesAdminMixin
from network.models import Coalition

from .models import Signal, SignalCard, SignalContact
from .rules import editable_places


@admin.register(Signal)
class SignalAdmin(RulesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_urgent", "position", "card_count"]
    list_editable = ["position"]
    list_filter = ["is_urgent", "themes"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "first_steps", "not_to_do", "is_urgent", "emergency_numbers",
              "position", "themes"]  # fmt: skip
    filter_horizontal = ["themes"]

    @admin.display(description=_("cards"), ordering="card_count")
    def card_count(self, obj):
        return obj.card_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=Count("cards"))


class ContactInlineForm(forms.ModelForm):
    class Meta:
        model = SignalContact
        fields = ["profile", "role", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].required = True


class ContactInline(RulesAdminMixin, LabelledTabularInline):
    model = SignalContact
    form = ContactInlineForm
    extra = 1
    autocomplete_fields = ["profile"]
    fields = ["profile", "role", "position"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile__organisation", "profile__user")

    def get_autocomplete_fields(self, request):
        # The autocomplete asks the members admin, which shows people to regional coordinators (and editors) only.
        return ["profile"] if is_coordinator(request.user) else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "profile" and not is_coordinator(request.user):
            # A coalition coordinator picks from the listed members working in their coalitions' municipalities:
            # the people they would find in the directory, and the only ones the card accepts.
            _everything, _coalitions, municipalities = editable_places(request.user)
            kwargs["queryset"] = (
                Profile.objects.approved()
                .filter(is_listed=True, organisation__municipalities__in=municipalities)
                .select_related("organisation")
                .distinct()
            )
            kwargs["form_class"] = ProfileChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CardAdminForm(forms.ModelForm):
    class Meta:
        model = SignalCard
        fields = ["signal", "municipality", "coalition", "local_note", "offerings"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not is_coordinator(user):
            # A coalition coordinator places cards in their own coalition and its municipalities only.
            _everything, coalitions, municipalities = editable_places(user)
            self.fields["coalition"].queryset = Coalition.objects.filter(pk__in=coalitions)
            self.fields["municipality"].queryset = Municipality.objects.filter(pk__in=municipalities)
        self.fields["offerings"].queryset = Offering.objects.active().select_related("organisation")


@admin.register(SignalCard)
class SignalCardAdmin(OwnCoalitionsOnly, admin.ModelAdmin):
    form = CardAdminForm
    refused_by = "signals.change_signalcard"
    inlines = [ContactInline]
    list_display = ["signal", "place", "contact_count"]
    list_filter = ["signal", "municipality", "coalition"]
    search_fields = ["signal__name", "municipality__name", "coalition__name"]
    autocomplete_fields = ["signal"]
    filter_horizontal = ["offerings"]

    def get_queryset(self, request):
        # Narrowed by coalition or municipality, which OwnCoalitionsOnly's one path cannot say.
        return (
            SignalCard.objects.managed_by(request.user)
            .select_related("signal", "municipality", "coalition")
            .annotate(contact_count=Count("contacts"))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class UserCardForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=user, **inner)

        return UserCardForm

    @admin.display(description=_("place"))
    def place(self, obj):
        return obj.place

    @admin.display(description=_("contacts"), ordering="contact_count")
    def contact_count(self, obj):
        return obj.contact_count
