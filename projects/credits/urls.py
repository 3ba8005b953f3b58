from django.urls import path

from projects.credits import views

app_name = "credits"
urlpatterns = [
    path("registry/accounts/", views.account_list, name="account_list"),
    path("registry/accounts/<int:pk>/", views.account_detail, name="account"),
    path("registry/accounts/<int:pk>/transfer/", views.account_transfer, name="transfer"),
    path("registry/accounts/<int:pk>/retire/", views.account_retire, name="retire"),
    path("registry/retirements/", views.retirements, name="retirements"),
]
