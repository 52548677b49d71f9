"""The assessment service's Temporal workflows (child workflows of the client's path). Import-light."""
