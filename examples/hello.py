"""A first script to run in the sandbox: "Phantom: Run in Sandbox" (editor title bar, or right-click)."""
import os
import socket

print("Hello from the sandbox")
print(f"uid={os.getuid()} pid={os.getpid()} hostname={socket.gethostname()}")
print(f"processes visible: {len([p for p in os.listdir('/proc') if p.isdigit()])}")
print(f"can see /root: {os.path.exists('/root/.bashrc')}")
